"""The ban list screen (coordinators): lift a ban; ban a caller from the call log below it.
Nowhere can a number be typed or seen."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy import select

from vecinos.accounts.models import Role
from vecinos.hotline import bans, writeups
from vecinos.hotline.call_models import HotlineBan, HotlineCall
from vecinos.identity import Principal
from vecinos.web.deps import DbDep, LanguageDep, PathId
from vecinos.web.policy import AnyOrgRole
from vecinos.web.templating import render

router = APIRouter(tags=["hotline"])
Coordinator = Annotated[Principal, Depends(AnyOrgRole(Role.COORDINATOR))]
LOG_SIZE = 50


@router.get("/dispatch/hotline/bans", include_in_schema=False)
def ban_list(request: Request, caller: Coordinator, db: DbDep, language: LanguageDep) -> Response:
    banned = set(db.scalars(select(HotlineBan.caller_index)))
    recent = list(db.scalars(select(HotlineCall).order_by(HotlineCall.id.desc()).limit(LOG_SIZE)))
    return render(
        request,
        "hotline_bans.html",
        language,
        csrf_token=caller.csrf_token,
        bans=bans.listed(db),
        calls=[_logged(call, banned, language) for call in recent],
    )


def _logged(
    call: HotlineCall, banned: set[str], language: str
) -> tuple[writeups.CallFacts, str, bool, bool]:
    """A call as the log shows it: its facts, its language in words, withheld, banned."""
    withheld = call.caller_index is None
    return (
        writeups.facts_of(call),
        writeups.language_name(call.language, language),
        withheld,
        not withheld and call.caller_index in banned,
    )


@router.delete("/api/hotline/bans/{ban_id}", status_code=status.HTTP_204_NO_CONTENT)
def lift_ban(ban_id: PathId, caller: Coordinator, db: DbDep) -> Response:
    bans.lift(db, ban_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
