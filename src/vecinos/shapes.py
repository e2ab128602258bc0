"""Areas drawn on a map (the service area, zones): read from GeoJSON and checked with shapely.

Below every domain: the settings check the service area with it at start-up, maps draw it,
zones are stored only once it accepts them, reports and alerts test points against them.

The one module of vecinos that touches shapely, and it imports shapely (with numpy) in its
functions, when geometry is first used, not with the module: every domain imports this one,
and `vecinos serve` has no point to test before its first requests (the import is about a
tenth of a second of start-up otherwise). Domains get areas and ask questions of them here.

That first import happens under a lock (`_import_shapely`): the ZIP-code loader's thread and
the first report on the event loop may both reach it at once, and Python's import machinery
does not wait for a half-imported parent package, so a thread importing `shapely.geometry`
while another is still inside `shapely` deadlocks on shapely's circular imports; Python breaks
the deadlock by failing both, and every later import of shapely fails too (every report
answered 500 until a restart).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from vecinos.errors import InvalidInput
from vecinos.i18n import N_

if TYPE_CHECKING:
    from shapely import STRtree
    from shapely.geometry.base import BaseGeometry

Area: TypeAlias = "BaseGeometry"  # a shapely geometry: what domains hold and pass back here
MAX_VERTICES = 5000  # a neighbourhood outline, not a cadastral survey
_import_lock = threading.Lock()
_imported = False


def _import_shapely() -> None:
    """Import shapely whole, once, in one thread at a time (see the module's note)."""
    global _imported
    if _imported:
        return
    with _import_lock:
        import shapely.geometry  # noqa: F401  (the package and its geometry types, whole)

        _imported = True


def parse_area(geojson: dict[str, Any]) -> Area:
    """A valid Polygon or MultiPolygon in longitude/latitude, or a clear error."""
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
    if geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidInput(
            N_("A zone must be a GeoJSON Polygon or MultiPolygon."), code="invalid_geometry"
        )
    try:
        area = shape_of(geojson)
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
def prepared_area(geojson: str) -> Area:
    """`parse_area` of a GeoJSON text, prepared in place and kept: `contains` then tests a
    point against it without making a `Point`, as every report does."""
    return _prepared(parse_area(json.loads(geojson)))


def shape_of(geojson: dict[str, Any]) -> Area:
    """The geometry of a GeoJSON object as it is (stored zones were checked when drawn)."""
    _import_shapely()
    from shapely.geometry import shape

    return shape(geojson)


def prepared_shape(geojson: dict[str, Any]) -> Area:
    """`shape_of`, prepared in place for many point tests."""
    return _prepared(shape_of(geojson))


def _prepared(area: Area) -> Area:
    _import_shapely()
    import shapely

    shapely.prepare(area)
    return area


def contains(area: Area, lon: float, lat: float) -> bool:
    """The point is inside the area (not on its outline)."""
    _import_shapely()
    import shapely

    return bool(shapely.contains_xy(area, lon, lat))


def covers(area: Area, lon: float, lat: float) -> bool:
    """The point is inside the area or on its outline."""
    _import_shapely()
    from shapely.geometry import Point

    return bool(area.covers(Point(lon, lat)))


def point_inside(area: Area) -> tuple[float, float]:
    """A point (lon, lat) sure to lie inside the area (its centre may not)."""
    point = area.representative_point()
    return float(point.x), float(point.y)


class PointIndex:
    """Points (lon, lat) found by the box around a place, by their position in the input."""

    def __init__(self, points: Iterable[tuple[float, float]]) -> None:
        _import_shapely()
        import shapely

        self._tree: STRtree = shapely.STRtree(shapely.points(list(points)))

    def in_box(self, min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> list[int]:
        _import_shapely()
        import shapely

        return [int(i) for i in self._tree.query(shapely.box(min_lon, min_lat, max_lon, max_lat))]


def _vertex_count(geojson: dict[str, Any]) -> int:
    rings = (
        geojson["coordinates"]
        if geojson["type"] == "Polygon"
        else [ring for polygon in geojson["coordinates"] for ring in polygon]
    )
    return sum(len(ring) for ring in rings)
