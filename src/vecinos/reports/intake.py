"""Taking a report in: check it, place it, store it with as little about the sender as works.

`submit` is what every channel calls (web, API, hotline, later SMS); the caller owns the
transaction, so a report, its incident and its timeline event land together or not at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from shapely.geometry import Point
from shapely.prepared import PreparedGeometry, prep
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.errors import InvalidInput, NotFound
from vecinos.geo.models import Zone
from vecinos.geo.zones import parse_area
from vecinos.i18n import N_
from vecinos.reports import clustering, sources
from vecinos.reports.models import LocationKind, Report, Source
from vecinos.reports.schemas import LocationIn, ReportFields

CLOCK_SKEW = timedelta(minutes=2)  # phones whose clocks run a little fast are not liars
# "1234 Main St": digits, a space, then a word: a house number, which public text never carries.
HOUSE_NUMBER = re.compile(r"(^|[&/,@]|\band\b|\by\b|\bat\b)\s*\d+\s+\w", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    kind: LocationKind
    lat: float
    lon: float
    cross_streets: str | None
    zone_id: int | None


@dataclass(frozen=True)
class Sender:
    source: Source
    source_hash: str
    entered_by_id: int | None = None


def submit(
    db: Session,
    data: ReportFields,
    sender: Sender,
    *,
    now: datetime,
    settings: Settings,
    contacts: Encryptor,
    idempotency_key: str | None = None,
) -> tuple[Report, bool]:
    """The report and True when new; the earlier report and False for a retried key."""
    key = idempotency_key or data.idempotency_key
    key_hash = sources.idempotency_hash(settings, key) if key else None
    if key_hash and (earlier := _earlier(db, key_hash)):
        return earlier, False
    place = locate(db, data.location, settings)
    observed = check_time(data.observed_at, now=now, settings=settings)
    description = check_description(data.description, settings)
    report = Report(
        source=sender.source,
        source_hash=sender.source_hash,
        low_trust=sources.has_unfounded_history(db, sender.source_hash),
        idempotency_hash=key_hash,
        activity=data.activity,
        agency=data.agency,
        agents=data.agents,
        vehicles=data.vehicles,
        equipment=[v.model_dump(mode="json") for v in data.equipment],
        location_kind=place.kind,
        lat=place.lat,
        lon=place.lon,
        cross_streets=place.cross_streets,
        zone_id=place.zone_id,
        description=description,
        observed_at=observed,
        received_at=now,
        entered_by_id=sender.entered_by_id,
    )
    if data.callback_contact:
        report.contact_ciphertext = contacts.encrypt(data.callback_contact)
        report.contact_purge_at = now + timedelta(hours=settings.contact_retention_hours)
    clustering.place(db, report, settings, now=now)
    return report, True


def _earlier(db: Session, key_hash: str) -> Report | None:
    if db.get_bind().dialect.name == "postgresql":
        # Two retries racing on PostgreSQL queue here; SQLite already runs one writer at a time.
        db.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key_hash})
    return db.scalar(select(Report).where(Report.idempotency_hash == key_hash))


def locate(db: Session, location: LocationIn, settings: Settings) -> Place:
    if (location.lat is None) != (location.lon is None):
        raise InvalidInput(N_("Give both latitude and longitude."), code="incomplete_pin")
    cross = check_cross_streets(location.cross_streets)
    if location.lat is not None and location.lon is not None:
        kind = LocationKind.CROSS_STREETS if cross else LocationKind.PIN
        lat, lon = location.lat, location.lon
    elif location.zone_id is not None:
        kind = LocationKind.CROSS_STREETS if cross else LocationKind.ZONE
        lat, lon = _zone_point(db, location.zone_id)
    else:
        raise InvalidInput(
            N_("Say where: a pin, or a zone (cross streets go with a pin or a zone)."),
            code="location_required",
        )
    if not _service_area(settings.service_area_geojson).contains(Point(lon, lat)):
        raise InvalidInput(
            N_("This place is outside the area this network serves."),
            code="outside_service_area",
        )
    return Place(kind, round(lat, 6), round(lon, 6), cross, location.zone_id)


def check_cross_streets(value: str | None) -> str | None:
    if not value:
        return None
    if HOUSE_NUMBER.search(value):
        raise InvalidInput(
            N_("Give cross streets (such as 'Main St & 3rd St'), not a house address."),
            code="address_not_allowed",
        )
    return " ".join(value.split())


def _zone_point(db: Session, zone_id: int) -> tuple[float, float]:
    zone = db.get(Zone, zone_id)
    if zone is None:
        raise NotFound(N_("No such zone."), code="zone_not_found")
    point = parse_area(zone.geometry).representative_point()
    return float(point.y), float(point.x)


@lru_cache(maxsize=4)
def _service_area(geojson: str) -> PreparedGeometry:
    return prep(parse_area(json.loads(geojson)))


def check_time(observed: datetime | None, *, now: datetime, settings: Settings) -> datetime:
    if observed is None:
        return now
    if observed > now + CLOCK_SKEW:
        raise InvalidInput(N_("The time seen is in the future."), code="observed_in_future")
    if observed < now - timedelta(hours=settings.report_max_age_hours):
        raise InvalidInput(
            N_("This was seen more than {hours} hours ago; it is too old to act on."),
            params={"hours": settings.report_max_age_hours},
            code="observed_too_old",
        )
    return observed


def check_description(description: str | None, settings: Settings) -> str | None:
    if description and len(description) > settings.report_description_max:
        raise InvalidInput(
            N_("The description is longer than {max} characters."),
            params={"max": settings.report_description_max},
            code="description_too_long",
        )
    return description or None


def purge_expired_contacts(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's sweep: callback contacts past their retention window are erased."""
    if db.get_bind().dialect.name == "sqlite":
        # Overwrite freed bytes instead of leaving them in the file's free space.
        db.execute(text("PRAGMA secure_delete = ON"))
    result = db.execute(
        update(Report)
        .where(Report.contact_purge_at.is_not(None), Report.contact_purge_at <= now)
        .values(contact_ciphertext=None, contact_purge_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
