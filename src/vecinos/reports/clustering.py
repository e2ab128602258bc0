"""A report joins the nearest open incident within the radius and time window, or opens one.

H3 finds the candidates (incidents whose cell lies in the grid disk that covers the radius);
the exact haversine distance and the time window decide. Pure decisions (`joins`,
`nearest_joinable`) are kept apart from the database so property tests can run them fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import inf, pi
from typing import Any, Protocol, TypeVar, cast

import h3
from sqlalchemy import (
    Connection,
    Integer,
    String,
    Table,
    bindparam,
    case,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from vecinos.config import Settings
from vecinos.db import UTCDateTime
from vecinos.geo.cells import cell_of, cells_within, centre_of
from vecinos.geo.distance import EARTH_RADIUS_M, haversine_m
from vecinos.geo.models import Zone
from vecinos.incidents import live, timeline
from vecinos.incidents.models import OPEN_STATES, Incident, IncidentState
from vecinos.reports import sources
from vecinos.reports.models import Report
from vecinos.shapes import contains, prepared_area

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


def sighting_of(report: dict[str, Any]) -> Sighting:
    """Where and when a report (the values of its row) saw what it reports."""
    return Sighting(report["lat"], report["lon"], report["observed_at"])


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


@dataclass(frozen=True, slots=True)
class OpenIncident:
    """What the decision needs of an open incident, as the candidate query reads it."""

    id: int
    lat: float
    lon: float
    last_seen_at: datetime
    source_count: int


@dataclass(frozen=True, slots=True)
class Looked:
    """The open incident a report would join (None: it would open one), as found by a caller
    that looked already under the area's lock (the intake ceiling), so `place` does not look
    twice."""

    incident: OpenIncident | None


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a report went: its id and the incident as it stands after the report."""

    report_id: int
    incident_id: int
    organization_id: int | None
    state: IncidentState
    report_count: int
    source_count: int


# Statements built once: a report runs a handful of them, and building one costs more than
# running it. Plain tables rather than the ORM classes: nothing here needs the ORM.
INCIDENTS = cast(Table, Incident.__table__)
REPORTS = cast(Table, Report.__table__)
# The state is checked in Python, not here: SQLite's planner, without statistics, would take
# the index on state (every open incident) over the one on the cell.
_CANDIDATES = select(
    INCIDENTS.c.id,
    INCIDENTS.c.lat,
    INCIDENTS.c.lon,
    INCIDENTS.c.last_seen_at,
    INCIDENTS.c.source_count,
    INCIDENTS.c.state,
).where(
    INCIDENTS.c.h3_cell.in_(bindparam("cells", expanding=True)),
    INCIDENTS.c.last_seen_at >= bindparam("since"),
    INCIDENTS.c.last_seen_at <= bindparam("until"),
)
_OPEN = frozenset(s.value for s in OPEN_STATES)
_OBSERVED = bindparam("observed", type_=UTCDateTime())
_LAST_EVENT = (
    select(timeline.EVENTS.c.seq, timeline.EVENTS.c.hash)
    .where(timeline.EVENTS.c.incident_id == bindparam("incident_id"))
    .order_by(timeline.EVENTS.c.seq.desc())
    .limit(1)
)
# A Core statement, constant, so SQLAlchemy compiles it and builds its cache key once; through
# the ORM's bulk UPDATE (`synchronize_session`) both were rebuilt for every report, about a
# seventh of the intake writer's CPU. An `Incident` the session holds is expired instead.
_JOIN = (
    update(INCIDENTS)
    .where(INCIDENTS.c.id == bindparam("incident_id"))
    .values(
        last_seen_at=case(
            (INCIDENTS.c.last_seen_at < _OBSERVED, _OBSERVED), else_=INCIDENTS.c.last_seen_at
        ),
        cross_streets=func.coalesce(
            INCIDENTS.c.cross_streets, bindparam("report_cross_streets", type_=String())
        ),
        report_count=INCIDENTS.c.report_count + 1,
        source_count=INCIDENTS.c.source_count + bindparam("new_source", type_=Integer()),
    )
    .returning(
        INCIDENTS.c.organization_id,
        INCIDENTS.c.state,
        INCIDENTS.c.report_count,
        INCIDENTS.c.source_count,
        # The timeline's tail comes back with the counts: the next event attaches to it.
        _LAST_EVENT.with_only_columns(timeline.EVENTS.c.seq).scalar_subquery(),
        _LAST_EVENT.with_only_columns(timeline.EVENTS.c.hash).scalar_subquery(),
    )
)
_JOINED_COLUMNS = ("last_seen_at", "cross_streets", "report_count", "source_count")
_NEW_INCIDENT = insert(INCIDENTS).returning(INCIDENTS.c.id)
_NEW_REPORT = insert(REPORTS).returning(REPORTS.c.id)
ZONES = cast(Table, Zone.__table__)
_ZONES = select(ZONES.c.organization_id, ZONES.c.geometry).order_by(ZONES.c.id)


def candidates(connection: Connection, sighting: Sighting, rules: Rules) -> list[OpenIncident]:
    """Open incidents whose cells, and last sighting, are near enough to look at."""
    cells = cells_within(sighting.lat, sighting.lon, rules.radius_m, rules.resolution)
    params = {
        "cells": cells,
        "since": sighting.at - rules.window,
        "until": sighting.at + rules.window,
    }
    return [
        OpenIncident(id_, lat, lon, last_seen_at, source_count)
        for id_, lat, lon, last_seen_at, source_count, state in connection.execute(
            _CANDIDATES, params
        )
        if state in _OPEN
    ]


def look(connection: Connection, report: dict[str, Any], settings: Settings) -> Looked:
    """The open incident this report (its row's values) would join, if any. On PostgreSQL
    the caller holds the area's lock (`lock_areas`) until the report is placed."""
    rules = Rules.of(settings)
    sighting = sighting_of(report)
    return Looked(nearest_joinable(candidates(connection, sighting, rules), sighting, rules))


def lock_area(connection: Connection, sighting: Sighting, rules: Rules) -> None:
    """On PostgreSQL, queue reports near each other so two cannot both open an incident.

    Transaction-scoped advisory locks on the coarse cells around the sighting, taken in one
    order (no deadlocks). SQLite needs none: it runs one writing transaction at a time.
    """
    lock_areas(connection, [sighting], rules)


def lock_areas(connection: Connection, sightings: Iterable[Sighting], rules: Rules) -> None:
    """`lock_area` for many sightings at once, all their cells in one order: a transaction
    that writes several reports takes its locks together, or two of them (two processes'
    intake batches) could each hold a cell the other waits for. Locks a transaction holds
    already are granted again at once, so `place` may still lock each report's area."""
    if connection.dialect.name != "postgresql":
        return
    keys = sorted(
        {
            h3.str_to_int(c)
            for sighting in sightings
            for c in cells_within(sighting.lat, sighting.lon, rules.radius_m, LOCK_RESOLUTION)
        }
    )
    if keys:
        connection.execute(_LOCK_AREA, {"keys": keys})


_LOCK_AREA = text(
    "SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k ORDER BY k"
)


def place(
    db: Session,
    report: dict[str, Any],
    settings: Settings,
    *,
    now: datetime,
    known_in: frozenset[int] | None = None,
    looked: Looked | None = None,
) -> Placed:
    """Store a report (the values of its row, all but `incident_id`) in the incident it joins
    or opens, and write the timeline; the board hears of it when the transaction commits.
    `known_in`: the incidents the sender's earlier reports are in, when the caller has read them.
    `looked`: what `look` found for it in this transaction, nothing written since.

    Core statements on the session's connection: a handful per report, nothing reloaded.
    """
    connection = db.connection()
    rules = Rules.of(settings)
    if looked is None:
        lock_area(connection, sighting_of(report), rules)
        looked = look(connection, report, settings)
    found = looked.incident
    tail: timeline.Tail
    if found is None:
        incident_id, organization_id = open_incident(connection, report, rules, now=now)
        state, report_count, source_count, tail = IncidentState.REPORTED, 1, 1, timeline.START
    else:
        # Counted before the report is added; on PostgreSQL the area lock keeps this from racing.
        if known_in is None or connection.dialect.name == "postgresql":
            # Read again under the area lock: a report of the same sender may just have landed.
            known_in = sources.history(connection, report["source_hash"]).incident_ids
        incident_id = found.id
        organization_id, state, report_count, source_count, tail = _join(
            db, found.id, report, new_source=found.id not in known_in
        )
    report_id = connection.execute(_NEW_REPORT, {**report, "incident_id": incident_id}).scalar_one()
    placed = Placed(report_id, incident_id, organization_id, state, report_count, source_count)
    kind = "opened" if placed.report_count == 1 else "report_added"
    payload = _event_payload(report_id, report)
    timeline.append_row(connection, incident_id, kind, payload, actor_id=None, now=now, after=tail)
    live.note(
        db, live.Change(kind, incident_id, organization_id, str(state), report_count, source_count)
    )
    return placed


def _join(
    db: Session, incident_id: int, report: dict[str, Any], *, new_source: bool
) -> tuple[int | None, IncidentState, int, int, timeline.Tail]:
    """Count the report in the incident (one UPDATE, which also locks the row on PostgreSQL)."""
    params = {
        "incident_id": incident_id,
        "observed": report["observed_at"],
        "report_cross_streets": report["cross_streets"],
        "new_source": int(new_source),
    }
    row = db.connection().execute(_JOIN, params).one()
    _expire_if_held(db, incident_id)
    tail = timeline.START if row[4] is None else timeline.Tail(row[4], row[5])
    return row[0], IncidentState(row[1]), row[2], row[3], tail


def _expire_if_held(db: Session, incident_id: int) -> None:
    """An `Incident` the session already holds (a hotline report entered in a request that
    loaded it) reads its new counts from the database when next used."""
    held = db.identity_map.get(identity_key(Incident, incident_id))
    if held is not None:
        db.expire(held, _JOINED_COLUMNS)


def _event_payload(report_id: int, report: dict[str, Any]) -> dict[str, object]:
    # What was reported, never who: no contact, no description, no source hash.
    return {
        "report_id": report_id,
        "source": str(report["source"]),
        "activity": str(report["activity"]),
        "agency": str(report["agency"]),
        "low_trust": report["low_trust"],
    }


def open_incident(
    connection: Connection, report: dict[str, Any], rules: Rules, *, now: datetime
) -> tuple[int, int | None]:
    """A new incident with this report as its first: its id and owning organization."""
    lat, lon = report["lat"], report["lon"]
    public_cell = cell_of(lat, lon, rules.public_resolution)
    public_lat, public_lon = centre_of(public_cell)
    organization_id = owner_at(connection, lat, lon)
    values = {
        "organization_id": organization_id,
        "state": IncidentState.REPORTED.value,
        "lat": lat,
        "lon": lon,
        "h3_cell": cell_of(lat, lon, rules.resolution),
        "public_cell": public_cell,
        "public_lat": round(public_lat, 5),
        "public_lon": round(public_lon, 5),
        "cross_streets": report["cross_streets"],
        "activity": str(report["activity"]),
        "report_count": 1,
        "source_count": 1,
        "opened_at": now,
        "last_seen_at": report["observed_at"],
        "state_changed_at": now,
        "closed_at": None,
        "verdict": None,
    }
    incident_id = connection.execute(_NEW_INCIDENT, values).scalar_one()
    return incident_id, organization_id


def owner_at(connection: Connection, lat: float, lon: float) -> int | None:
    """The organization whose zone contains the point (the oldest zone wins a tie)."""
    for organization_id, geometry in connection.execute(_ZONES):
        if contains(prepared_area(json.dumps(geometry, sort_keys=True)), lon, lat):
            return int(organization_id)
    return None
