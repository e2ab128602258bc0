"""One incident as a dispatcher opens it: its reports (callback contacts for the owning
organization only) and its timeline. The API and the console's detail panel share it.

It lives with the reports, not the incidents: incidents know nothing of what reports hold."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.identity import Principal
from vecinos.incidents import service, timeline
from vecinos.incidents.models import Incident
from vecinos.incidents.schemas import EventOut, IncidentOut
from vecinos.keyring import Vault
from vecinos.reports.models import Report


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


class IncidentDetail(IncidentOut):
    reports: list[ReportOut]
    timeline: list[EventOut]
    assignments: list[dict[str, Any]] = Field(default_factory=list)  # filled by dispatch


def incident_detail(
    db: Session, caller: Principal, incident_id: int, contacts: Vault
) -> IncidentDetail:
    incident = service.get_visible(db, caller, incident_id)
    reports = db.scalars(
        select(Report).where(Report.incident_id == incident.id).order_by(Report.id)
    ).all()
    shown = [_report_for(caller, incident, r, contacts) for r in reports]
    events = [EventOut.of(e) for e in timeline.events_of(db, incident.id)]
    base = IncidentOut.of(incident).model_dump()
    return IncidentDetail(**base, reports=shown, timeline=events)


def _report_for(
    caller: Principal, incident: Incident, report: Report, contacts: Vault
) -> ReportOut:
    out = ReportOut.of(report)
    if report.contact_ciphertext is None:
        return out
    if service.owns(caller, incident):
        # None once the hour it was kept for is over, even before the sweep erases the row.
        out.callback_contact = contacts.open_or_none(report.contact_ciphertext)
    else:
        out.contact_withheld = True
    return out
