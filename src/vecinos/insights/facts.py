"""Bounded queries: what happened to each incident of a window, read from the other domains.

One row per incident with the moments that matter (first report, verification requested, first
responder on scene, confirmed, confirmed alert sent) and its zone. The queries aggregate in SQL
where the dialects agree (MIN, GROUP BY) and leave bucketing by local day to Python, so the same
code runs on SQLite and PostgreSQL. Only the incident's exact position is read, to find its zone,
and it never leaves this module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from vecinos.alerts.models import AlertKind
from vecinos.alerts.outbox_models import Alert
from vecinos.dispatch.models import DispatchRequest, Offer, Shift
from vecinos.geo.models import Zone
from vecinos.incidents.models import Incident, IncidentState, TimelineEvent
from vecinos.insights.window import Window
from vecinos.reports.models import Report
from vecinos.shapes import Area, contains, prepared_shape


@dataclass(frozen=True)
class Scope:
    """One organization's incidents, or (None) every incident of the coalition."""

    organization_id: int | None = None


@dataclass
class IncidentFacts:
    id: int
    state: str
    verdict: str | None
    activity: str
    report_count: int
    source_count: int
    public_cell: str
    public_lat: float
    public_lon: float
    zone: str | None
    opened_at: datetime
    requested_at: datetime | None = None
    on_scene_at: datetime | None = None
    confirmed_at: datetime | None = None
    alert_at: datetime | None = None

    @property
    def outcome(self) -> str:
        return outcome_of(self.state, self.verdict)


def outcome_of(state: str, verdict: str | None) -> str:
    """verified, unfounded, expired, or open (still open, or ended without a verdict)."""
    if verdict == IncidentState.CONFIRMED.value:
        return "verified"
    if verdict == IncidentState.UNFOUNDED.value:
        return "unfounded"
    if state == IncidentState.EXPIRED.value:
        return "expired"
    return "open"


def incident_ids(scope: Scope, window: Window) -> Select[int]:
    """The incidents opened in the window, as a subquery for the other queries."""
    query = select(Incident.id).where(
        Incident.opened_at >= window.since, Incident.opened_at < window.until
    )
    if scope.organization_id is not None:
        query = query.where(Incident.organization_id == scope.organization_id)
    return query


def incidents(db: Session, scope: Scope, window: Window) -> list[IncidentFacts]:
    ids = incident_ids(scope, window)
    rows = db.scalars(select(Incident).where(Incident.id.in_(ids)).order_by(Incident.opened_at))
    zones = zone_shapes(db, scope)
    facts = {row.id: _facts(row, zones) for row in rows}
    _add_milestones(db, ids, facts)
    return list(facts.values())


def _facts(row: Incident, zones: Sequence[tuple[str, Area]]) -> IncidentFacts:
    zone = next((name for name, area in zones if contains(area, row.lon, row.lat)), None)
    return IncidentFacts(
        id=row.id,
        state=str(row.state),
        verdict=row.verdict,
        activity=row.activity,
        report_count=row.report_count,
        source_count=row.source_count,
        public_cell=row.public_cell,
        public_lat=row.public_lat,
        public_lon=row.public_lon,
        zone=zone,
        opened_at=row.opened_at,
    )


def _add_milestones(db: Session, ids: Select[int], facts: dict[int, IncidentFacts]) -> None:
    requested = select(DispatchRequest.incident_id, DispatchRequest.requested_at).where(
        DispatchRequest.incident_id.in_(ids)
    )
    for incident_id, requested_at in db.execute(requested):
        facts[incident_id].requested_at = requested_at
    on_scene = (
        select(Offer.incident_id, func.min(Offer.on_scene_at))
        .where(Offer.incident_id.in_(ids), Offer.on_scene_at.is_not(None))
        .group_by(Offer.incident_id)
    )
    for incident_id, at in db.execute(on_scene):
        facts[incident_id].on_scene_at = at
    alerted = (
        select(Alert.incident_id, func.min(Alert.created_at))
        .where(Alert.incident_id.in_(ids), Alert.kind == AlertKind.CONFIRMED.value)
        .group_by(Alert.incident_id)
    )
    for incident_id, at in db.execute(alerted):
        facts[incident_id].alert_at = at
    for incident_id, at in _confirmations(db, ids):
        facts[incident_id].confirmed_at = at


def _confirmations(db: Session, ids: Select[int]) -> list[tuple[int, datetime]]:
    # JSON paths differ between the dialects; an incident has few state changes, so the
    # payload is read here.
    query = (
        select(TimelineEvent.incident_id, TimelineEvent.payload, TimelineEvent.at)
        .where(TimelineEvent.incident_id.in_(ids), TimelineEvent.kind == "state_changed")
        .order_by(TimelineEvent.incident_id, TimelineEvent.seq)
    )
    found: dict[int, datetime] = {}
    for incident_id, payload, at in db.execute(query):
        if payload.get("to") == IncidentState.CONFIRMED.value:
            found.setdefault(incident_id, at)
    return list(found.items())


def report_times(db: Session, scope: Scope, window: Window) -> list[datetime]:
    """When each report of the scope arrived within the window."""
    query = select(Report.received_at).where(
        Report.received_at >= window.since, Report.received_at < window.until
    )
    if scope.organization_id is not None:
        owned = select(Incident.id).where(Incident.organization_id == scope.organization_id)
        query = query.where(Report.incident_id.in_(owned))
    return list(db.scalars(query))


def shift_spans(db: Session, scope: Scope, window: Window) -> list[tuple[datetime, datetime]]:
    """Start and end of every shift overlapping the window (open shifts end now), clipped.

    Only the times: where responders were is deleted at check-out and never read here.
    """
    query = select(Shift.started_at, Shift.ended_at).where(
        Shift.started_at < window.until,
        Shift.ended_at.is_(None) | (Shift.ended_at > window.since),
    )
    if scope.organization_id is not None:
        query = query.where(Shift.organization_id == scope.organization_id)
    spans = []
    for started, ended in db.execute(query):
        start, end = max(started, window.since), min(ended or window.until, window.until)
        if end > start:
            spans.append((start, end))
    return spans


def zone_shapes(db: Session, scope: Scope) -> list[tuple[str, Area]]:
    query = select(Zone.name, Zone.geometry).order_by(Zone.id)
    if scope.organization_id is not None:
        query = query.where(Zone.organization_id == scope.organization_id)
    return [
        (name, _prepared(json.dumps(geometry, sort_keys=True)))
        for name, geometry in db.execute(query)
    ]


def zone_outlines(db: Session, scope: Scope) -> list[dict[str, object]]:
    """The scope's zone geometries, for the coverage map's background."""
    query = select(Zone.geometry).order_by(Zone.id)
    if scope.organization_id is not None:
        query = query.where(Zone.organization_id == scope.organization_id)
    return list(db.scalars(query))


@lru_cache(maxsize=256)
def _prepared(geojson: str) -> Area:
    return prepared_shape(json.loads(geojson))
