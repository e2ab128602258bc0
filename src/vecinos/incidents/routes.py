"""The dispatcher board: list and filter incidents, open one, move it, follow changes live."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime
from sqlalchemy import select

from vecinos import keyring
from vecinos.accounts.models import Role
from vecinos.accounts.principal import Principal
from vecinos.db import RowId
from vecinos.incidents import live, service, timeline
from vecinos.incidents.models import Incident, IncidentState
from vecinos.incidents.schemas import (
    EventOut,
    IncidentDetail,
    IncidentOut,
    ReportOut,
    TransitionIn,
    TransitionOut,
)
from vecinos.reports.models import Report
from vecinos.web import sse
from vecinos.web.deps import ClockDep, ContextDep, DbDep, PathId, SettingsDep
from vecinos.web.policy import AnyOrgRole

router = APIRouter(prefix="/api/incidents", tags=["incidents"])
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]
KEEPALIVE_SECONDS = 15.0


@router.get("")
def list_incidents(
    caller: Dispatcher,
    db: DbDep,
    state: Annotated[list[IncidentState] | None, Query()] = None,
    organization_id: RowId | None = None,
    since: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[IncidentOut]:
    found = service.list_incidents(
        db, caller, states=state or (), organization_id=organization_id, since=since, limit=limit
    )
    return [IncidentOut.of(i) for i in found]


@router.get("/stream")
async def stream(caller: Dispatcher, settings: SettingsDep) -> StreamingResponse:
    """Server-Sent Events: one `incident` event per change the caller may see."""
    visible = service.visible_organizations(caller)
    return StreamingResponse(
        _events(visible, float(settings.incident_stream_seconds)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(visible: frozenset[int], seconds: float) -> AsyncIterator[str]:
    subscription = live.broadcaster.subscribe()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    try:
        yield sse.READY  # listening from here on
        while (remaining := deadline - loop.time()) > 0:
            change = await subscription.get(min(remaining, KEEPALIVE_SECONDS))
            if change is None:
                yield ": keep-alive\n\n"
            elif change.organization_id is None or change.organization_id in visible:
                yield f"event: incident\ndata: {json.dumps(change.as_dict())}\n\n"
    finally:
        subscription.close()


@router.get("/{incident_id}")
def get_incident(
    incident_id: PathId, caller: Dispatcher, db: DbDep, context: ContextDep
) -> IncidentDetail:
    incident = service.get_visible(db, caller, incident_id)
    reports = db.scalars(
        select(Report).where(Report.incident_id == incident.id).order_by(Report.id)
    ).all()
    shown = [_report_for(caller, incident, r, context) for r in reports]
    events = [EventOut.of(e) for e in timeline.events_of(db, incident.id)]
    base = IncidentOut.of(incident).model_dump()
    return IncidentDetail(**base, reports=shown, timeline=events)


def _report_for(
    caller: Principal, incident: Incident, report: Report, context: ContextDep
) -> ReportOut:
    out = ReportOut.of(report)
    if report.contact_ciphertext is None:
        return out
    if service.owns(caller, incident):
        # None once the hour it was kept for is over, even before the sweep erases the row.
        vault = keyring.report_contacts(context.settings)
        out.callback_contact = vault.open_or_none(report.contact_ciphertext)
    else:
        out.contact_withheld = True
    return out


@router.post("/{incident_id}/transition")
def transition(
    incident_id: PathId, body: TransitionIn, caller: Dispatcher, db: DbDep, clock: ClockDep
) -> TransitionOut:
    now: datetime = clock.now()
    event = service.transition_by(db, caller, incident_id, body.to, now=now, note=body.note)
    incident = service.get_visible(db, caller, incident_id)
    return TransitionOut(incident=IncidentOut.of(incident), event=EventOut.of(event))
