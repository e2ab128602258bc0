"""The structured observer report a responder files with a finding.

The facts are fixed choices and counts, so they can go on the timeline and into the legal
bundle as they are. The one free-text field (what the family or witnesses need) is for legal
support's eyes, and still refuses names, phone numbers, addresses and plates: a family's
contact belongs in a follow-up case, where it is encrypted, and an officer's in nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.dispatch.models import Offer
from vecinos.dispatch.observer_models import Equipment, Need, ObserverReport, Warrant
from vecinos.errors import InvalidInput
from vecinos.i18n import N_
from vecinos.scrubber import scan
from vecinos.vocabulary import Activity, Agency, Colour, VehicleType

CLOCK_SKEW = timedelta(minutes=5)  # phones' clocks run a little fast or slow
OLDEST = timedelta(hours=24)  # an observer report covers what happened today
NEEDS_NOTE_MAX = 1000


class VehicleSeen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: VehicleType
    colour: Colour


class ObserverReportIn(BaseModel):
    """Unknown keys are refused, so nothing about an officer can ride along."""

    model_config = ConfigDict(extra="forbid")

    agents: int | None = Field(default=None, ge=0, le=500)
    vehicles: int | None = Field(default=None, ge=0, le=200)
    activity: Activity | None = None
    agencies: list[Agency] = Field(default_factory=list, max_length=len(Agency))
    equipment: list[Equipment] = Field(default_factory=list, max_length=len(Equipment))
    vehicles_seen: list[VehicleSeen] = Field(default_factory=list, max_length=20)
    warrant: Warrant = Warrant.UNKNOWN
    detained: int | None = Field(default=None, ge=0, le=500)
    agents_arrived_at: datetime | None = None
    agents_left_at: datetime | None = None
    needs: list[Need] = Field(default_factory=list, max_length=len(Need))
    needs_note: str | None = Field(default=None, max_length=NEEDS_NOTE_MAX)


def check_times(report: ObserverReportIn, now: datetime) -> None:
    arrived, left = report.agents_arrived_at, report.agents_left_at
    for moment in (arrived, left):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput(N_("Give times with their time zone."), code="time_without_zone")
        if moment is not None and moment > now + CLOCK_SKEW:
            raise InvalidInput(N_("A time in the report is in the future."), code="time_in_future")
        if moment is not None and moment < now - OLDEST:
            raise InvalidInput(
                N_("A time in the report is more than a day ago."), code="time_too_old"
            )
    if arrived is not None and left is not None and left < arrived:
        raise InvalidInput(
            N_("The agents cannot have left before they arrived."), code="left_before_arrived"
        )


def check_note(note: str | None) -> str | None:
    text = (note or "").strip()
    findings = scan(text) if text else []
    if findings:
        kinds = ", ".join(sorted({f.kind.value for f in findings}))
        raise InvalidInput(
            N_(
                "Leave names, phone numbers, addresses and plates out of the observer report;"
                " remove: {kinds}."
            ),
            params={"kinds": kinds},
            code="observer_note_identifies",
            details={"findings": [f.as_dict() for f in findings]},
        )
    return text or None


def _unique(values: list[Any]) -> list[str]:
    return sorted({str(v) for v in values})


def facts(report: ObserverReport) -> dict[str, Any]:
    """The report as plain values: for the timeline, the bundle and the dispatcher."""
    return {
        "agents": report.agents,
        "vehicles": report.vehicles,
        "activity": report.activity,
        "agencies": list(report.agencies),
        "equipment": list(report.equipment),
        "vehicles_seen": [dict(v) for v in report.vehicles_seen],
        "warrant": str(report.warrant),
        "detained": report.detained,
        "agents_arrived_at": _iso(report.agents_arrived_at),
        "agents_left_at": _iso(report.agents_left_at),
        "needs": list(report.needs),
        "needs_note": report.needs_note,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def record(db: Session, offer: Offer, body: ObserverReportIn, *, now: datetime) -> ObserverReport:
    """Store the report of this assignment (checked first; the caller commits)."""
    check_times(body, now)
    report = ObserverReport(
        offer_id=offer.id,
        incident_id=offer.incident_id,
        member_id=offer.member_id,
        agents=body.agents,
        vehicles=body.vehicles,
        activity=body.activity.value if body.activity else None,
        agencies=_unique(body.agencies),
        equipment=_unique(body.equipment),
        vehicles_seen=[v.model_dump(mode="json") for v in body.vehicles_seen],
        warrant=body.warrant,
        detained=body.detained,
        agents_arrived_at=body.agents_arrived_at,
        agents_left_at=body.agents_left_at,
        needs=_unique(body.needs),
        needs_note=check_note(body.needs_note),
        filed_at=now,
    )
    db.add(report)
    db.flush()
    return report


def reports_of(db: Session, incident_id: int) -> dict[int, ObserverReport]:
    """The observer reports of an incident, by offer."""
    query = select(ObserverReport).where(ObserverReport.incident_id == incident_id)
    return {r.offer_id: r for r in db.scalars(query)}
