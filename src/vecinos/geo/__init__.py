"""Geography shared by every domain: zones (GeoJSON polygons), distances, H3 cells."""
