"""Areas drawn on a map (the service area, zones): read from GeoJSON and checked with shapely.

Below every domain: the settings check the service area with it at start-up, maps draw it,
zones are stored only once it accepts them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from vecinos.errors import InvalidInput
from vecinos.i18n import N_

MAX_VERTICES = 5000  # a neighbourhood outline, not a cadastral survey


def parse_area(geojson: dict[str, Any]) -> BaseGeometry:
    """A valid Polygon or MultiPolygon in longitude/latitude, or a clear error."""
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
    if geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidInput(
            N_("A zone must be a GeoJSON Polygon or MultiPolygon."), code="invalid_geometry"
        )
    try:
        area = shape(geojson)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise InvalidInput(
            N_("The zone's GeoJSON cannot be read: {problem}"),
            params={"problem": str(exc)},
            code="invalid_geometry",
        ) from exc
    min_x, min_y, max_x, max_y = area.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise InvalidInput(
            N_("Coordinates must be longitude, latitude in degrees."), code="invalid_geometry"
        )
    if area.is_empty or not area.is_valid:
        raise InvalidInput(
            N_("The zone's outline crosses itself or is empty."), code="invalid_geometry"
        )
    if _vertex_count(geojson) > MAX_VERTICES:
        raise InvalidInput(
            N_("The zone has more than {max} points; simplify it."),
            params={"max": MAX_VERTICES},
            code="invalid_geometry",
        )
    return area


@lru_cache(maxsize=1024)
def prepared_area(geojson: str) -> BaseGeometry:
    """`parse_area` of a GeoJSON text, prepared in place and kept: `shapely.contains_xy` then
    tests a point against it without making a `Point`, as every report does."""
    area = parse_area(json.loads(geojson))
    shapely.prepare(area)
    return area


def _vertex_count(geojson: dict[str, Any]) -> int:
    rings = (
        geojson["coordinates"]
        if geojson["type"] == "Polygon"
        else [ring for polygon in geojson["coordinates"] for ring in polygon]
    )
    return sum(len(ring) for ring in rings)
