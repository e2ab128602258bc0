"""A report joins the nearest open incident within the radius and time window, or opens one.

H3 finds the candidates (incidents whose cell lies in the grid disk that covers the radius);
the exact haversine distance and the time window decide. Pure decisions (`joins`,
`nearest_joinable`) are kept apart from the database so property tests can run them fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from math import inf, pi
from typing import Protocol, TypeVar

import h3
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.geo.cells import cell_of, cells_within, centre_of
from vecinos.geo.distance import EARTH_RADIUS_M, haversine_m
from vecinos.geo.models import Zone
from vecinos.incidents import live, timeline
from vecinos.incidents.models import OPEN_STATES, Incident, IncidentState
from vecinos.reports.models import Report

METRES_PER_DEGREE = EARTH_RADIUS_M * pi / 180
LOCK_RESOLUTION = 5  # cells of ~8 km: a handful cover any clustering radius


@dataclass(frozen=True)
class Rules:
    radius_m: float
    window: timedelta
    resolution: int
    public_resolution: int

    @classmethod
    def of(cls, settings: Settings) -> Rules:
        return cls(
            radius_m=settings.cluster_radius_m,
            window=timedelta(minutes=settings.cluster_window_minutes),
            resolution=settings.cluster_h3_resolution,
            public_resolution=settings.public_h3_resolution,
        )


@dataclass(frozen=True)
class Sighting:
    lat: float
    lon: float
    at: datetime


class Candidate(Protocol):
    """What the decision needs of an incident (an `Incident` row, or a light stand-in)."""

    @property
    def id(self) -> int: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def last_seen_at(self) -> datetime: ...


C = TypeVar("C", bound=Candidate)


def joins(incident: Candidate, sighting: Sighting, rules: Rules) -> bool:
    return _distance_if_joins(incident, sighting, rules) is not None


def _distance_if_joins(incident: Candidate, sighting: Sighting, rules: Rules) -> float | None:
    # On a sphere the distance is at least the north-south part: a cheap, exact early refusal.
    if abs(incident.lat - sighting.lat) * METRES_PER_DEGREE > rules.radius_m:
        return None
    if abs(sighting.at - incident.last_seen_at) > rules.window:
        return None
    distance = haversine_m(incident.lat, incident.lon, sighting.lat, sighting.lon)
    return distance if distance <= rules.radius_m else None


def nearest_joinable(candidates: Iterable[C], sighting: Sighting, rules: Rules) -> C | None:
    best: C | None = None
    best_key = (inf, 0)
    for incident in candidates:
        distance = _distance_if_joins(incident, sighting, rules)
        if distance is not None and (distance, incident.id) < best_key:
            best, best_key = incident, (distance, incident.id)
    return best


def candidates(db: Session, sighting: Sighting, rules: Rules) -> Sequence[Incident]:
    cells = cells_within(sighting.lat, sighting.lon, rules.radius_m, rules.resolution)
    query = select(Incident).where(
        Incident.h3_cell.in_(cells),
        Incident.state.in_([s.value for s in OPEN_STATES]),
        Incident.last_seen_at >= sighting.at - rules.window,
        Incident.last_seen_at <= sighting.at + rules.window,
    )
    return db.scalars(query).all()


def lock_area(db: Session, sighting: Sighting, rules: Rules) -> None:
    """On PostgreSQL, queue reports near each other so two cannot both open an incident.

    Transaction-scoped advisory locks on the coarse cells around the sighting, taken in one
    order (no deadlocks). SQLite needs none: it runs one writing transaction at a time.
    """
    if db.get_bind().dialect.name != "postgresql":
        return
    keys = sorted(
        h3.str_to_int(c)
        for c in cells_within(sighting.lat, sighting.lon, rules.radius_m, LOCK_RESOLUTION)
    )
    db.execute(
        text(
            "SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k ORDER BY k"
        ),
        {"keys": keys},
    )


def place(db: Session, report: Report, settings: Settings, *, now: datetime) -> Incident:
    """Attach the (not yet flushed) report to an incident and write the timeline."""
    rules = Rules.of(settings)
    sighting = Sighting(report.lat, report.lon, report.observed_at)
    lock_area(db, sighting, rules)
    incident = nearest_joinable(candidates(db, sighting, rules), sighting, rules)
    if incident is None:
        incident = open_incident(db, report, rules, now=now)
    else:
        db.refresh(incident, with_for_update=True)  # concurrent reports count correctly
        incident.last_seen_at = max(incident.last_seen_at, report.observed_at)
        incident.cross_streets = incident.cross_streets or report.cross_streets
    # Counted before the report is added; the incident row is locked, so this cannot race.
    new_source = not _has_source(db, incident.id, report.source_hash)
    report.incident_id = incident.id
    db.add(report)
    incident.report_count += 1
    incident.source_count += int(new_source)
    db.flush()
    kind = "opened" if incident.report_count == 1 else "report_added"
    timeline.append(db, incident.id, kind, _event_payload(report), actor_id=None, now=now)
    live.note_change(db, incident, kind)
    return incident


def _has_source(db: Session, incident_id: int, source_hash: str) -> bool:
    query = select(Report.id).where(
        Report.incident_id == incident_id, Report.source_hash == source_hash
    )
    return db.scalar(query.limit(1)) is not None


def _event_payload(report: Report) -> dict[str, object]:
    # What was reported, never who: no contact, no description, no source hash.
    return {
        "report_id": report.id,
        "source": str(report.source),
        "activity": str(report.activity),
        "agency": str(report.agency),
        "low_trust": report.low_trust,
    }


def open_incident(db: Session, report: Report, rules: Rules, *, now: datetime) -> Incident:
    public_cell = cell_of(report.lat, report.lon, rules.public_resolution)
    public_lat, public_lon = centre_of(public_cell)
    incident = Incident(
        organization_id=owner_at(db, report.lat, report.lon),
        state=IncidentState.REPORTED,
        lat=report.lat,
        lon=report.lon,
        h3_cell=cell_of(report.lat, report.lon, rules.resolution),
        public_cell=public_cell,
        public_lat=round(public_lat, 5),
        public_lon=round(public_lon, 5),
        cross_streets=report.cross_streets,
        activity=str(report.activity),
        report_count=0,
        source_count=0,
        opened_at=now,
        last_seen_at=report.observed_at,
        state_changed_at=now,
    )
    db.add(incident)
    db.flush()
    return incident


def owner_at(db: Session, lat: float, lon: float) -> int | None:
    """The organization whose zone contains the point (the oldest zone wins a tie)."""
    point = Point(lon, lat)
    for organization_id, geometry in db.execute(
        select(Zone.organization_id, Zone.geometry).order_by(Zone.id)
    ):
        if _prepared(json.dumps(geometry, sort_keys=True)).contains(point):
            return int(organization_id)
    return None


@lru_cache(maxsize=1024)
def _prepared(geojson: str) -> PreparedGeometry:
    area: BaseGeometry = shape(json.loads(geojson))
    return prep(area)
