"""What the dispatcher board receives. Unverified incidents say so in every answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vecinos.incidents.models import Incident, IncidentState, TimelineEvent
from vecinos.reports.models import Report


class IncidentOut(BaseModel):
    id: int
    organization_id: int | None
    state: IncidentState
    verified: bool
    label: str  # "unverified" until a responder confirms it
    activity: str
    lat: float
    lon: float
    public_lat: float
    public_lon: float
    cross_streets: str | None
    report_count: int
    source_count: int
    opened_at: datetime
    last_seen_at: datetime
    state_changed_at: datetime

    @classmethod
    def of(cls, incident: Incident) -> IncidentOut:
        state = IncidentState(incident.state)
        verified = incident.verdict == IncidentState.CONFIRMED.value
        return cls(
            id=incident.id,
            organization_id=incident.organization_id,
            state=state,
            verified=verified,
            label=_label(state, incident.verdict),
            activity=incident.activity,
            lat=incident.lat,
            lon=incident.lon,
            public_lat=incident.public_lat,
            public_lon=incident.public_lon,
            cross_streets=incident.cross_streets,
            report_count=incident.report_count,
            source_count=incident.source_count,
            opened_at=incident.opened_at,
            last_seen_at=incident.last_seen_at,
            state_changed_at=incident.state_changed_at,
        )


def _label(state: IncidentState, verdict: str | None) -> str:
    if verdict == IncidentState.CONFIRMED.value:
        return "confirmed"
    if verdict == IncidentState.UNFOUNDED.value:
        return "unfounded"
    return "unverified"


class ReportOut(BaseModel):
    id: int
    source: str
    low_trust: bool
    activity: str
    agency: str
    agents: int | None
    vehicles: int | None
    equipment: list[dict[str, Any]]
    location_kind: str
    lat: float
    lon: float
    cross_streets: str | None
    zone_id: int | None
    description: str | None
    observed_at: datetime
    received_at: datetime
    callback_contact: str | None = None  # only for the owning organization's dispatchers
    contact_withheld: bool = False

    @classmethod
    def of(cls, report: Report) -> ReportOut:
        return cls(
            id=report.id,
            source=str(report.source),
            low_trust=report.low_trust,
            activity=str(report.activity),
            agency=str(report.agency),
            agents=report.agents,
            vehicles=report.vehicles,
            equipment=report.equipment,
            location_kind=str(report.location_kind),
            lat=report.lat,
            lon=report.lon,
            cross_streets=report.cross_streets,
            zone_id=report.zone_id,
            description=report.description,
            observed_at=report.observed_at,
            received_at=report.received_at,
        )


class EventOut(BaseModel):
    seq: int
    kind: str
    payload: dict[str, Any]
    actor_id: int | None
    at: datetime
    hash: str

    @classmethod
    def of(cls, event: TimelineEvent) -> EventOut:
        return cls(
            seq=event.seq,
            kind=event.kind,
            payload=event.payload,
            actor_id=event.actor_id,
            at=event.at,
            hash=event.hash,
        )


class IncidentDetail(IncidentOut):
    reports: list[ReportOut]
    timeline: list[EventOut]
    assignments: list[dict[str, Any]] = Field(default_factory=list)  # filled by dispatch


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: IncidentState
    note: str | None = Field(None, max_length=500)


class TransitionOut(BaseModel):
    incident: IncidentOut
    event: EventOut
