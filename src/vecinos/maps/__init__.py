"""Maps that show the place without any third-party tile server: the coalition's zones and
service area as a base layer, and a self-hosted basemap read from a PMTiles file."""
