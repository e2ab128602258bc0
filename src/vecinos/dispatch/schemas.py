"""What dispatch routes take and give. Nobody outside an organization sees its volunteers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from vecinos.db import RowId
from vecinos.dispatch.models import Finding, Offer, OfferState, RequestState, Shift, Stage
from vecinos.dispatch.observer import ObserverReportIn
from vecinos.i18n import N_, gettext
from vecinos.incidents.models import Incident

# Shown with every offer: observe, record, inform — never obstruct.
GUIDANCE = N_(
    "Observe and record from a lawful distance; do not touch, block or follow anyone. Remind"
    " people of their rights: they may remain silent and need not open the door without a"
    " warrant signed by a judge. Report only what you see."
)


class Position(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class CheckIn(Position):
    has_car: bool = False
    legal_observer: bool = False
    languages: list[str] = Field(default_factory=list, max_length=12)
    radio_channel: str | None = Field(default=None, max_length=40)


class ShiftOut(BaseModel):
    id: int
    organization_id: int
    member_id: int
    started_at: datetime
    ended_at: datetime | None
    has_car: bool
    legal_observer: bool
    languages: list[str]
    radio_channel: str | None
    lat: float | None
    lon: float | None
    located_at: datetime | None

    @classmethod
    def of(cls, shift: Shift) -> ShiftOut:
        return cls(
            id=shift.id,
            organization_id=shift.organization_id,
            member_id=shift.member_id,
            started_at=shift.started_at,
            ended_at=shift.ended_at,
            has_car=shift.has_car,
            legal_observer=shift.legal_observer,
            languages=list(shift.languages or []),
            radio_channel=shift.radio_channel,
            lat=shift.lat,
            lon=shift.lon,
            located_at=shift.located_at,
        )


class RosterEntry(ShiftOut):
    display_name: str


class VerificationIn(BaseModel):
    legal_observer: bool = False
    car: bool = False
    language: str | None = Field(default=None, max_length=16)
    organization_id: RowId | None = None  # for an incident no organization owns


class OfferForDispatcher(BaseModel):
    id: int
    round: int
    rank: int
    state: OfferState
    organization_id: int
    # Only for volunteers of the dispatcher's own organization; partners' stay anonymous.
    member_id: int | None
    display_name: str | None
    offered_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    finding: Finding | None
    finding_note: str | None
    reported_at: datetime | None
    observer_report: dict[str, Any] | None = None  # the structured SALUTE report, if filed


class DispatchOut(BaseModel):
    incident_id: int
    organization_id: int
    state: RequestState
    stage: Stage
    round: int
    radius_m: int
    needed: int
    accepted: int
    deadline_at: datetime
    offers: list[OfferForDispatcher]


class OfferForResponder(BaseModel):
    id: int
    incident_id: int
    state: OfferState
    activity: str
    lat: float
    lon: float
    cross_streets: str | None
    place: str  # the gazetteer's name for the spot: "Mariachi Plaza, Boyle Heights (90033)"
    distance_m: int | None  # from the responder's last shared location
    offered_at: datetime
    expires_at: datetime
    finding: Finding | None
    guidance: str

    @classmethod
    def of(
        cls,
        offer: Offer,
        incident: Incident,
        language: str,
        *,
        place: str = "",
        distance_m: int | None = None,
    ) -> OfferForResponder:
        return cls(
            id=offer.id,
            incident_id=offer.incident_id,
            state=OfferState(offer.state),
            activity=incident.activity,
            lat=incident.lat,
            lon=incident.lon,
            cross_streets=incident.cross_streets,
            place=place,
            distance_m=distance_m,
            offered_at=offer.offered_at,
            expires_at=offer.expires_at,
            finding=Finding(offer.finding) if offer.finding else None,
            guidance=gettext(language, GUIDANCE),
        )


class FindingIn(BaseModel):
    finding: Finding
    note: str | None = Field(default=None, max_length=2000)
    observer_report: ObserverReportIn | None = None  # the structured SALUTE report
