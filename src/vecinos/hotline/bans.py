"""The ban list a coordinator manages: who is banned (shown by their calls, never a number)
and lifting a ban. Banning happens from the call log (`calls.ban`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Member
from vecinos.errors import NotFound
from vecinos.hotline.call_models import HotlineBan, HotlineCall
from vecinos.hotline.writeups import changed, reference
from vecinos.i18n import N_

LISTED = 200


@dataclass(frozen=True)
class BanRow:
    id: int
    banned_at: datetime
    banned_by: str | None  # the coordinator's display name
    calls: int  # calls from that caller still in the log
    last_call: str | None  # its reference, e.g. "L-42"
    last_call_at: datetime | None


def listed(db: Session) -> list[BanRow]:
    """Every ban, newest first, with what the call log still says of that caller."""
    by_caller = (
        select(
            HotlineCall.caller_index,
            func.count().label("calls"),
            func.max(HotlineCall.id).label("last_id"),
            func.max(HotlineCall.started_at).label("last_at"),
        )
        .group_by(HotlineCall.caller_index)
        .subquery()
    )
    rows = db.execute(
        select(
            HotlineBan,
            Member.display_name,
            by_caller.c.calls,
            by_caller.c.last_id,
            by_caller.c.last_at,
        )
        .outerjoin(Member, Member.id == HotlineBan.banned_by_id)
        .outerjoin(by_caller, by_caller.c.caller_index == HotlineBan.caller_index)
        .order_by(HotlineBan.id.desc())
        .limit(LISTED)
    ).all()
    return [
        BanRow(
            id=ban.id,
            banned_at=ban.banned_at,
            banned_by=name,
            calls=int(count or 0),
            last_call=reference(last_id) if last_id else None,
            last_call_at=last_at,
        )
        for ban, name, count, last_id, last_at in rows
    ]


def lift(db: Session, ban_id: int) -> None:
    """The caller may call again; their calls in the log show as not banned."""
    ban = db.get(HotlineBan, ban_id)
    if ban is None:
        raise NotFound(N_("No such ban."), code="ban_not_found")
    last = db.scalar(
        select(func.max(HotlineCall.id)).where(HotlineCall.caller_index == ban.caller_index)
    )
    db.delete(ban)
    db.flush()
    if last is not None:
        changed(db, last)  # the consoles' call logs show the button again
