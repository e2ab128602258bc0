"""Taking a report in: check it, place it, store it with as little about the sender as works.

`submit` is what every channel calls (web, API, hotline, later SMS); the caller owns the
transaction, so a report, its incident and its timeline event land together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, select, text, update
from sqlalchemy.orm import Session

from vecinos import keyring, scrubber
from vecinos.config import Settings
from vecinos.errors import AppError, Conflict, InvalidInput, NotFound
from vecinos.geo.gazetteer import resolve_place
from vecinos.geo.models import Zone
from vecinos.i18n import N_
from vecinos.incidents.models import Incident, IncidentState
from vecinos.keyring import Vault
from vecinos.reports import clustering, sources
from vecinos.reports.models import LocationKind, Report, Source
from vecinos.reports.schemas import LocationIn, ReportFields
from vecinos.shapes import contains, parse_area, prepared_area

CLOCK_SKEW = timedelta(minutes=2)  # phones whose clocks run a little fast are not liars
# "1234 Main St": digits, a space, then a word: a house number, which public text never carries.


@dataclass(frozen=True)
class Place:
    kind: LocationKind
    lat: float
    lon: float
    cross_streets: str | None
    zone_id: int | None


@dataclass(frozen=True)
class Spot:
    """Where, as far as it is known without the database: a checked pin, or a zone or a
    gazetteer place (kind, key) to look up."""

    kind: LocationKind
    lat: float | None
    lon: float | None
    cross_streets: str | None
    zone_id: int | None
    place: tuple[str, str] | None = None


@dataclass(frozen=True)
class Sender:
    source: Source
    source_hash: str
    entered_by_id: int | None = None


@dataclass(frozen=True)
class Checked:
    """A report's row as far as it is known before the database is asked."""

    values: dict[str, Any]  # every column but the place, low_trust and incident_id
    spot: Spot


@dataclass(frozen=True)
class Draft:
    """A report made ready off the database: its checked fields, or why it is refused.

    The refusal is kept rather than raised because a retry of a key already stored is answered
    with the earlier report before any check, as it always was.
    """

    key_hash: str | None
    checked: Checked | AppError
    fingerprint: str | None = None  # of what was sent under the key (sources.request_fingerprint)

    @property
    def sender_hash(self) -> str | None:
        """The source hash of a report that passed the checks so far."""
        if isinstance(self.checked, AppError):
            return None
        source_hash: str = self.checked.values["source_hash"]
        return source_hash


@dataclass(frozen=True)
class Stored:
    """What the sender is told: the report, where it is, and whether it is new."""

    report_id: int
    incident_id: int
    state: IncidentState
    low_trust: bool
    created: bool


def submit(
    db: Session,
    data: ReportFields,
    sender: Sender,
    *,
    now: datetime,
    settings: Settings,
    contacts: Vault,
    idempotency_key: str | None = None,
) -> tuple[Report, bool]:
    """The report and True when new; the earlier report and False for a retried key."""
    draft = prepare(
        data, sender, now=now, settings=settings, contacts=contacts, idempotency_key=idempotency_key
    )
    db.flush()  # what this session changed must be seen by the statements `store` runs
    stored = store(db, draft, settings, now=now)
    report = db.get(Report, stored.report_id)
    assert report is not None  # just written or found, in this transaction
    return report, stored.created


def prepare(
    data: ReportFields,
    sender: Sender,
    *,
    now: datetime,
    settings: Settings,
    contacts: Vault,
    idempotency_key: str | None = None,
) -> Draft:
    """Every check that needs no database, and the row values; no I/O, so any thread may."""
    key = idempotency_key or data.idempotency_key
    key_hash = sources.idempotency_hash(settings, key) if key else None
    fingerprint = sources.request_fingerprint(settings, data) if key else None
    try:
        spot = where(data.location, settings)
        observed = check_time(data.observed_at, now=now, settings=settings)
        description = check_description(data.description, settings)
    except AppError as problem:
        return Draft(key_hash, problem, fingerprint)
    values: dict[str, Any] = {
        "source": sender.source,
        "source_hash": sender.source_hash,
        "idempotency_hash": key_hash,
        "idempotency_fingerprint": fingerprint,
        "activity": data.activity,
        "agency": data.agency,
        "agents": data.agents,
        "vehicles": data.vehicles,
        "equipment": [v.model_dump(mode="json") for v in data.equipment],
        "description": description,
        "contact_ciphertext": None,
        "contact_purge_at": None,
        "observed_at": observed,
        "received_at": now,
        "entered_by_id": sender.entered_by_id,
    }
    if data.callback_contact:
        purge_at = now + timedelta(hours=settings.contact_retention_hours)
        # Sealed under the key of the hour it is purged in: that key dies with the hour.
        values["contact_ciphertext"] = contacts.seal(data.callback_contact, until=purge_at)
        values["contact_purge_at"] = purge_at
    return Draft(key_hash, Checked(values, spot), fingerprint)


@dataclass(frozen=True)
class Ready:
    """A report that passed every check: its row (all but `incident_id`) and its sender's day."""

    row: dict[str, Any]
    history: sources.History


def store(db: Session, draft: Draft, settings: Settings, *, now: datetime) -> Stored:
    """Write a prepared report (the caller commits). A refusal is raised before any write."""
    ready = check(db, draft, settings)
    return ready if isinstance(ready, Stored) else write(db, ready, settings, now=now)


def check(
    db: Session, draft: Draft, settings: Settings, history: sources.History | None = None
) -> Stored | Ready:
    """The earlier report for a retried key, else the full row to write; only reads, so a
    refusal raised here leaves nothing behind."""
    if draft.key_hash and (earlier := _earlier(db.connection(), draft.key_hash)):
        stored, fingerprint = earlier
        if fingerprint is not None and fingerprint != draft.fingerprint:
            raise Conflict(
                N_("This idempotency key was already used for another report; make a new one."),
                code="idempotency_conflict",
            )
        return stored
    if isinstance(draft.checked, AppError):
        raise draft.checked
    values, spot = draft.checked.values, draft.checked.spot
    place = _placed(db, spot, settings)
    if history is None:
        history = sources.history(db.connection(), values["source_hash"])
    row = {
        **values,
        "low_trust": history.unfounded,
        "location_kind": place.kind,
        "lat": place.lat,
        "lon": place.lon,
        "cross_streets": place.cross_streets,
        "zone_id": place.zone_id,
    }
    return Ready(row, history)


def write(
    db: Session,
    ready: Ready,
    settings: Settings,
    *,
    now: datetime,
    looked: clustering.Looked | None = None,
) -> Stored:
    """Cluster and store a checked report, with its timeline event (the caller commits)."""
    known_in = ready.history.incident_ids
    placed = clustering.place(db, ready.row, settings, now=now, known_in=known_in, looked=looked)
    return Stored(placed.report_id, placed.incident_id, placed.state, ready.row["low_trust"], True)


def _earlier(connection: Connection, key_hash: str) -> tuple[Stored, str | None] | None:
    """The report stored under this key, and the fingerprint of what was sent with it."""
    if connection.dialect.name == "postgresql":
        # Two retries racing on PostgreSQL queue here; SQLite already runs one writer at a time.
        connection.execute(_ADVISORY_LOCK, {"k": key_hash})
    row = connection.execute(_EARLIER, {"key_hash": key_hash}).first()
    if row is None:
        return None
    return Stored(row[0], row[1], IncidentState(row[2]), row[3], False), row[4]


_REPORTS, _INCIDENTS = cast(Table, Report.__table__), cast(Table, Incident.__table__)
_EARLIER = (
    select(
        _REPORTS.c.id,
        _REPORTS.c.incident_id,
        _INCIDENTS.c.state,
        _REPORTS.c.low_trust,
        _REPORTS.c.idempotency_fingerprint,
    )
    .join(_INCIDENTS, _INCIDENTS.c.id == _REPORTS.c.incident_id)
    .where(_REPORTS.c.idempotency_hash == bindparam("key_hash"))
)
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:k))")
# The same locks for many keys, in one order (the value `_ADVISORY_LOCK` takes for each).
_ADVISORY_LOCKS = text(
    "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT CAST(hashtext(h) AS bigint) AS k"
    " FROM unnest(CAST(:keys AS text[])) AS h) AS held ORDER BY k"
)


def lock_keys(connection: Connection, key_hashes: list[str]) -> None:
    """On PostgreSQL, the idempotency locks of many reports written in one transaction, taken
    together in one order before anything else (see `clustering.lock_areas`)."""
    if connection.dialect.name == "postgresql" and key_hashes:
        connection.execute(_ADVISORY_LOCKS, {"keys": key_hashes})


def locate(db: Session, location: LocationIn, settings: Settings) -> Place:
    return _placed(db, where(location, settings), settings)


def where(location: LocationIn, settings: Settings) -> Spot:
    """The place as given, checked: a pin (which must lie in the service area) wins; else a
    gazetteer place; else a zone. Cross streets ride along with any of them."""
    if (location.lat is None) != (location.lon is None):
        raise InvalidInput(N_("Give both latitude and longitude."), code="incomplete_pin")
    cross = check_cross_streets(location.cross_streets)
    if location.lat is not None and location.lon is not None:
        kind = LocationKind.CROSS_STREETS if cross else LocationKind.PIN
        _check_in_area(location.lat, location.lon, settings)
        return Spot(kind, location.lat, location.lon, cross, location.zone_id)
    if location.place is not None:
        kind = LocationKind.CROSS_STREETS if cross else LocationKind(location.place.kind)
        place = (location.place.kind, location.place.key)
        return Spot(kind, None, None, cross, location.zone_id, place)
    if location.zone_id is not None:
        kind = LocationKind.CROSS_STREETS if cross else LocationKind.ZONE
        return Spot(kind, None, None, cross, location.zone_id)
    raise InvalidInput(
        N_(
            "Say where: your location or a point on the map, or a neighbourhood, ZIP code or"
            " landmark (cross streets go with one of them)."
        ),
        code="location_required",
    )


def _placed(db: Session, spot: Spot, settings: Settings) -> Place:
    zone_id = spot.zone_id
    if spot.lat is not None and spot.lon is not None:
        lat, lon = spot.lat, spot.lon
    elif spot.place is not None:
        found = resolve_place(db, *spot.place)
        lat, lon, zone_id = found.lat, found.lon, found.zone_id
        _check_in_area(lat, lon, settings)
    else:
        assert zone_id is not None  # `where` gives a pin, a place or a zone
        lat, lon = _zone_point(db, zone_id)
        _check_in_area(lat, lon, settings)
    return Place(spot.kind, round(lat, 6), round(lon, 6), spot.cross_streets, zone_id)


def _check_in_area(lat: float, lon: float, settings: Settings) -> None:
    if not contains(prepared_area(settings.service_area_geojson), lon, lat):
        raise InvalidInput(
            N_("This place is outside the area this network serves."),
            code="outside_service_area",
        )


def check_cross_streets(value: str | None) -> str | None:
    if not value:
        return None
    # The scrubber's test, wherever a number or a name stands: cross streets are for staff
    # eyes, but a house address or "the house of…" is more than anyone needs to keep.
    if scrubber.scan(value):
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
    """The worker's sweep: callback contacts past their retention window are erased, and the
    data keys of the hours that are over are destroyed once that is committed, which makes any
    copy the database still holds (dead rows, its log, a backup) unreadable."""
    if db.get_bind().dialect.name == "sqlite":
        # Overwrite freed bytes instead of leaving them in the file's free space.
        db.execute(text("PRAGMA secure_delete = ON"))
    result = db.execute(
        update(Report)
        .where(Report.contact_purge_at.is_not(None), Report.contact_purge_at <= now)
        .values(contact_ciphertext=None, contact_purge_at=None)
        .execution_options(synchronize_session=False)
    )
    vault = keyring.report_contacts(settings)
    keyring.destroy_after_commit(db, vault, vault.ended(now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
