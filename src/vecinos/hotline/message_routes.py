"""Messages left on the hotline, for dispatchers: the list and each one's audio, played from
vecinos' own evidence storage (never from the provider)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import select

from vecinos.accounts.models import Role
from vecinos.errors import NotFound
from vecinos.evidence.storage import storage_for
from vecinos.hotline.call_models import HotlineCall
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.web.deps import ContextDep, DbDep, PathId
from vecinos.web.policy import AnyOrgRole

router = APIRouter(prefix="/api/hotline/messages", tags=["hotline"])
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]
LISTED = 100


class MessageOut(BaseModel):
    call_id: int
    language: str | None
    choice: str | None  # "now" (nobody was free) or "message"
    left_at: datetime
    seconds: int | None
    playable: bool  # already in our own storage
    sha256: str | None


@router.get("")
def messages(caller: Dispatcher, db: DbDep) -> list[MessageOut]:
    query = (
        select(HotlineCall)
        .where(HotlineCall.recording_sid.is_not(None))
        .order_by(HotlineCall.id.desc())
        .limit(LISTED)
    )
    return [
        MessageOut(
            call_id=call.id,
            language=call.language,
            choice=call.choice,
            left_at=call.ended_at or call.started_at,
            seconds=call.recording_seconds,
            playable=call.recording_key is not None,
            sha256=call.recording_sha256,
        )
        for call in db.scalars(query)
    ]


@router.get("/{call_id}/audio")
def audio(call_id: PathId, caller: Dispatcher, db: DbDep, context: ContextDep) -> StreamingResponse:
    call = db.get(HotlineCall, call_id)
    if call is None or call.recording_key is None:
        raise NotFound(N_("No message of this call is stored yet."), code="message_not_stored")
    chunks = storage_for(context.settings).read(call.recording_key)
    headers = {"Cache-Control": "private, no-store"}
    return StreamingResponse(chunks, media_type="audio/wav", headers=headers)
