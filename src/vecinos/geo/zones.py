"""Creating and reading zones; geometry is checked with shapely before it is stored."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos import scrubber
from vecinos.errors import Conflict, InvalidInput, NotFound
from vecinos.geo.models import Zone
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


def create_zone(
    db: Session, organization_id: int, name: str, geojson: dict[str, Any], *, now: datetime
) -> Zone:
    label = name.strip()
    if not 1 <= len(label) <= 120:
        raise InvalidInput(N_("Give the zone a name of 1 to 120 characters."), code="invalid_name")
    scrubber.check(label)  # alerts name places by their zone: the name is public text
    area = parse_area(geojson)
    taken = select(Zone.id).where(Zone.organization_id == organization_id, Zone.name == label)
    if db.scalar(taken) is not None:
        raise Conflict(
            N_("This organization already has a zone with that name."), code="zone_name_taken"
        )
    zone = Zone(
        organization_id=organization_id, name=label, geometry=area.__geo_interface__, created_at=now
    )
    db.add(zone)
    db.flush()
    return zone


def zones_of(db: Session, organization_id: int) -> Sequence[Zone]:
    query = select(Zone).where(Zone.organization_id == organization_id).order_by(Zone.name)
    return db.scalars(query).all()


def delete_zone(db: Session, organization_id: int, zone_id: int) -> None:
    zone = db.get(Zone, zone_id)
    if zone is None or zone.organization_id != organization_id:
        raise NotFound(N_("No such zone."), code="zone_not_found")
    db.delete(zone)
