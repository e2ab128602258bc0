"""Landmarks a coordinator adds: schools, parks, stores, plazas. A name and a point, nothing else.

Their names are public (alerts say "near Mariachi Plaza"), so a name passes the scrubber like
any text staff write for the public: no person's name, no house address, no phone number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from math import isfinite

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos import scrubber
from vecinos.errors import Conflict, InvalidInput, NotFound
from vecinos.geo.models import LANDMARK_NAME_MAX, Landmark
from vecinos.i18n import N_
from vecinos.shapes import contains, prepared_area


@dataclass(frozen=True)
class LandmarkFields:
    name: str
    lat: float
    lon: float


def check_fields(fields: LandmarkFields, service_area_geojson: str) -> LandmarkFields:
    """Every check before the first write: a clear error, or the fields as they will be kept."""
    name = " ".join(fields.name.split())
    if not 1 <= len(name) <= LANDMARK_NAME_MAX:
        raise InvalidInput(
            N_("Give the landmark a name of 1 to {max} characters."),
            params={"max": LANDMARK_NAME_MAX},
            code="invalid_name",
        )
    scrubber.check(name)  # a public name: "the house of…" or a phone number never gets in
    if not (isfinite(fields.lat) and isfinite(fields.lon)):
        raise InvalidInput(N_("The point is not on Earth."), code="invalid_point")
    if not (-90 <= fields.lat <= 90 and -180 <= fields.lon <= 180):
        raise InvalidInput(N_("The point is not on Earth."), code="invalid_point")
    if not contains(prepared_area(service_area_geojson), fields.lon, fields.lat):
        raise InvalidInput(
            N_("This place is outside the area this network serves."),
            code="outside_service_area",
        )
    return LandmarkFields(name, round(fields.lat, 6), round(fields.lon, 6))


def create_landmark(
    db: Session,
    organization_id: int,
    fields: LandmarkFields,
    *,
    service_area_geojson: str,
    now: datetime,
) -> Landmark:
    checked = check_fields(fields, service_area_geojson)
    _refuse_taken_name(db, organization_id, checked.name, but=None)
    landmark = Landmark(
        organization_id=organization_id,
        name=checked.name,
        lat=checked.lat,
        lon=checked.lon,
        created_at=now,
    )
    db.add(landmark)
    db.flush()
    return landmark


def update_landmark(
    db: Session,
    organization_id: int,
    landmark_id: int,
    fields: LandmarkFields,
    *,
    service_area_geojson: str,
) -> Landmark:
    landmark = landmark_of(db, organization_id, landmark_id)
    checked = check_fields(fields, service_area_geojson)
    _refuse_taken_name(db, organization_id, checked.name, but=landmark.id)
    landmark.name, landmark.lat, landmark.lon = checked.name, checked.lat, checked.lon
    db.flush()
    return landmark


def delete_landmark(db: Session, organization_id: int, landmark_id: int) -> None:
    db.delete(landmark_of(db, organization_id, landmark_id))


def landmark_of(db: Session, organization_id: int, landmark_id: int) -> Landmark:
    landmark = db.get(Landmark, landmark_id)
    if landmark is None or landmark.organization_id != organization_id:
        raise NotFound(N_("No such landmark."), code="landmark_not_found")
    return landmark


def landmarks_of(db: Session, organization_id: int) -> Sequence[Landmark]:
    query = select(Landmark).where(Landmark.organization_id == organization_id)
    return db.scalars(query.order_by(Landmark.name)).all()


def _refuse_taken_name(db: Session, organization_id: int, name: str, *, but: int | None) -> None:
    query = select(Landmark.id).where(
        Landmark.organization_id == organization_id, Landmark.name == name
    )
    taken = db.scalar(query)
    if taken is not None and taken != but:
        raise Conflict(
            N_("This organization already has a landmark with that name."),
            code="landmark_name_taken",
        )
