"""How a page's map is set up: which tiles (a tile URL, the self-hosted basemap, or none) and
where it starts. Templates put it on the map element with the `map` macro."""

from __future__ import annotations

import json
from dataclasses import dataclass

from vecinos.config import Settings
from vecinos.maps.basemap import basemap_of
from vecinos.shapes import parse_area

TILE_PATH = "/map/tiles/{z}/{x}/{y}"
BASE_LAYER_PATH = "/map/base.geojson"


@dataclass(frozen=True)
class MapView:
    tile_url: str  # empty: the base layer alone
    tile_kind: str  # "raster" or "vector"
    attribution: str
    max_zoom: int
    bounds: str  # the service area's, "south,west,north,east"
    base_url: str = BASE_LAYER_PATH

    @property
    def vector(self) -> bool:
        return bool(self.tile_url) and self.tile_kind == "vector"


def map_view(settings: Settings) -> MapView:
    """A configured tile URL wins; else the PMTiles file in the data directory, if any."""
    bounds = area_bounds(settings.service_area_geojson)
    if settings.map_tile_url:
        return MapView(settings.map_tile_url, "raster", settings.map_tile_attribution, 19, bounds)
    basemap = basemap_of(settings)
    if basemap is None:
        return MapView("", "", "", 19, bounds)
    attribution = settings.map_tile_attribution or basemap.attribution
    # Raster tiles are only drawn up to the archive's zoom; vector ones scale beyond it.
    max_zoom = 19 if basemap.kind == "vector" else basemap.max_zoom
    return MapView(TILE_PATH, basemap.kind, attribution, max_zoom, bounds)


def area_bounds(service_area_geojson: str) -> str:
    """The service area as "south,west,north,east": where a map starts before it loads."""
    min_lon, min_lat, max_lon, max_lat = parse_area(json.loads(service_area_geojson)).bounds
    return f"{min_lat:.5f},{min_lon:.5f},{max_lat:.5f},{max_lon:.5f}"
