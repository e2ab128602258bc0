"""One incident as a dispatcher opens it: its reports (callback contacts for the owning
organization only) and its timeline. The API and the console's detail panel share it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.principal import Principal
from vecinos.incidents import service, timeline
from vecinos.incidents.models import Incident
from vecinos.incidents.schemas import EventOut, IncidentDetail, IncidentOut, ReportOut
from vecinos.keyring import Vault
from vecinos.reports.models import Report


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
