"""The dispatcher board: list and filter incidents, open one, move it, follow changes live."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime
from sse_starlette import EventSourceResponse

from vecinos import events
from vecinos.accounts.models import Role
from vecinos.db import RowId
from vecinos.identity import Principal
from vecinos.incidents import live, service
from vecinos.incidents.models import IncidentState
from vecinos.incidents.schemas import (
    EventOut,
    IncidentOut,
    TransitionIn,
    TransitionOut,
)
from vecinos.web import sse
from vecinos.web.deps import ClockDep, ContextDep, DbDep, PathId
from vecinos.web.policy import AnyOrgRole

router = APIRouter(prefix="/api/incidents", tags=["incidents"])
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]


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
async def stream(caller: Dispatcher, context: ContextDep) -> EventSourceResponse:
    """Server-Sent Events: one `incident` event per change the caller may see."""
    visible = service.visible_organizations(caller)
    seconds = float(context.settings.incident_stream_seconds)
    return context.streams.response(_events(visible, seconds))


async def _events(visible: frozenset[int], seconds: float) -> AsyncIterator[sse.Chunk]:
    subscription = events.hub.subscribe(events.Topic.INCIDENTS)
    deadline = asyncio.get_running_loop().time() + seconds
    try:
        yield sse.READY  # listening from here on
        while (event := await subscription.get_until(deadline)) is not None:
            if event.payload == events.RESYNC:
                yield sse.READY  # changes may have gone by unheard: the board reloads
            elif (change := live.Change.of(event.payload)).organization_id in (None, *visible):
                yield sse.event("incident", json.dumps(change.as_dict()))
    finally:
        subscription.close()


@router.post("/{incident_id}/transition")
def transition(
    incident_id: PathId, body: TransitionIn, caller: Dispatcher, db: DbDep, clock: ClockDep
) -> TransitionOut:
    now: datetime = clock.now()
    event = service.transition_by(db, caller, incident_id, body.to, now=now, note=body.note)
    incident = service.get_visible(db, caller, incident_id)
    return TransitionOut(incident=IncidentOut.of(incident), event=EventOut.of(event))
