"""Creating and reading zones; geometry is checked with shapely before it is stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos import scrubber
from vecinos.errors import Conflict, InvalidInput, NotFound
from vecinos.geo.models import Zone
from vecinos.i18n import N_
from vecinos.shapes import parse_area


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
