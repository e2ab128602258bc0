"""What the dispatcher board receives. Unverified incidents say so in every answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vecinos.incidents.models import Incident, IncidentState, TimelineEvent


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


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: IncidentState
    note: str | None = Field(None, max_length=500)


class TransitionOut(BaseModel):
    incident: IncidentOut
    event: EventOut
