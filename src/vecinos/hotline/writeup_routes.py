"""A call becomes a report: the prefilled hotline report an operator opens for a call they
took (or a dispatcher for a voicemail), its submission, the board's voicemail lane, and the
hotline panel's live stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel
from sse_starlette import EventSourceResponse

from vecinos import events
from vecinos.accounts.models import Role
from vecinos.hotline import writeups
from vecinos.i18n import gettext
from vecinos.identity import Principal
from vecinos.reports.body import read_json
from vecinos.reports.routes import json_body
from vecinos.reports.schemas import ReportFields
from vecinos.vocabulary import ACTIVITY_LABELS, AGENCY_LABELS
from vecinos.web import sse
from vecinos.web.deps import ContextDep, DbDep, LanguageDep, PathId
from vecinos.web.openapi import refusals
from vecinos.web.policy import AnyOrgRole
from vecinos.web.templating import render

router = APIRouter(tags=["hotline"])
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]


class CallReportOut(BaseModel):
    report_id: int
    incident_id: int
    call_reference: str


async def report_body(request: Request, context: ContextDep) -> ReportFields:
    return await read_json(request, ReportFields, context.settings.report_max_bytes)


@router.post(
    "/api/hotline/calls/{call_id}/report",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=json_body(ReportFields),
    responses=refusals(409),  # 404 too: the call, a place or a zone that does not exist
)
def write_up(
    call_id: PathId,
    request: Request,
    response: Response,
    body: Annotated[ReportFields, Depends(report_body)],
    caller: Dispatcher,
    db: DbDep,
    context: ContextDep,
) -> CallReportOut:
    """The report of a call or its message, linked to the call (its voicemail leaves the board)."""
    report, created = writeups.write_up(
        db,
        call_id,
        body,
        member_id=caller.member_id,
        now=context.clock.now(),
        settings=context.settings,
        idempotency_key=body.idempotency_key,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return CallReportOut(
        report_id=report.id,
        incident_id=report.incident_id,
        call_reference=writeups.reference(call_id),
    )


@router.get("/dispatch/hotline/calls/{call_id}", include_in_schema=False)
def prefilled(
    call_id: PathId, request: Request, caller: Dispatcher, db: DbDep, language: LanguageDep
) -> Response:
    """The hotline report, prefilled from the call: its language, time and reference."""
    call = writeups.call_facts(db, call_id)
    return render(
        request,
        "hotline.html",
        language,
        csrf_token=caller.csrf_token,
        call=call,
        call_language=writeups.language_name(call.language, language),
        activities=[(a.value, gettext(language, label)) for a, label in ACTIVITY_LABELS.items()],
        agencies=[(a.value, gettext(language, label)) for a, label in AGENCY_LABELS.items()],
    )


@router.get("/dispatch/voicemail", include_in_schema=False)
def voicemail_lane(
    request: Request, caller: Dispatcher, db: DbDep, language: LanguageDep
) -> Response:
    """The board's voicemail lane: messages nobody has written up yet, each with a player."""
    waiting = writeups.voicemails(db)
    names = {call.id: writeups.language_name(call.language, language) for call in waiting}
    return render(request, "voicemail_lane.html", language, voicemails=waiting, languages=names)


@router.get("/api/hotline/stream")
async def stream(caller: Dispatcher, context: ContextDep) -> EventSourceResponse:
    """Server-Sent Events: `call` (with the call's id) whenever a hotline call changes; the
    panel then reads the call log again. `ready` on every (re)connection."""
    seconds = float(context.settings.incident_stream_seconds)
    return context.streams.response(_events(seconds))


async def _events(seconds: float) -> AsyncIterator[sse.Chunk]:
    subscription = events.hub.subscribe(events.Topic.HOTLINE)
    deadline = asyncio.get_running_loop().time() + seconds
    try:
        yield sse.READY  # listening from here on
        while (event := await subscription.get_until(deadline)) is not None:
            if event.payload == events.RESYNC:
                yield sse.READY  # calls may have changed unheard: the panel reloads
            else:
                yield sse.event("call", json.dumps(event.payload))
    finally:
        subscription.close()
