"""A dispatcher's hotline duty, and the call log (no numbers in it) with its ban button."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Member, Role
from vecinos.hotline import calls, metrics, operators
from vecinos.hotline.call_models import HotlineBan, HotlineCall, HotlineOperator
from vecinos.identity import Principal
from vecinos.web.deps import ContextDep, DbDep, PathId
from vecinos.web.policy import AnyOrgRole

router = APIRouter(prefix="/api/hotline", tags=["hotline"])
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]
Coordinator = Annotated[Principal, Depends(AnyOrgRole(Role.COORDINATOR))]
STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
LOG_SIZE = 100


class PhoneIn(BaseModel):
    model_config = STRICT
    phone: str = Field(min_length=3, max_length=40)


class DutyIn(BaseModel):
    model_config = STRICT
    on_duty: bool


class OperatorOut(BaseModel):
    has_phone: bool  # the number itself is never shown, not even to its owner
    on_duty: bool
    duty_since: datetime | None
    on_shift: bool  # checked in on a hotline shift now: with on_duty, calls ring them


class CallOut(BaseModel):
    id: int
    language: str | None
    choice: str | None
    status: str
    started_at: datetime
    answered_at: datetime | None
    answered_by_id: int | None
    answered_by: str | None  # the operator's display name
    waited_seconds: int | None  # ringing until answered, or until now while it rings
    recording_seconds: int | None
    message_stored: bool  # in our own storage, playable
    withheld: bool
    banned: bool
    report_id: int | None  # the report written from this call or its message


def _operator_out(
    db: Session, operator: HotlineOperator | None, member_id: int, now: datetime
) -> OperatorOut:
    on_shift = calls.is_on_hotline_shift(db, member_id, now)
    if operator is None:
        return OperatorOut(has_phone=False, on_duty=False, duty_since=None, on_shift=on_shift)
    return OperatorOut(
        has_phone=True, on_duty=operator.on_duty, duty_since=operator.duty_since, on_shift=on_shift
    )


@router.get("/operator")
def my_duty(caller: Dispatcher, db: DbDep, context: ContextDep) -> OperatorOut:
    operator = operators.of_member(db, caller.member_id)
    return _operator_out(db, operator, caller.member_id, context.clock.now())


@router.put("/operator")
def declare_phone(body: PhoneIn, caller: Dispatcher, db: DbDep, context: ContextDep) -> OperatorOut:
    operator = operators.set_phone(
        db, caller.member_id, body.phone, context.settings, now=context.clock.now()
    )
    return _operator_out(db, operator, caller.member_id, context.clock.now())


@router.post("/operator/duty")
def set_duty(body: DutyIn, caller: Dispatcher, db: DbDep, context: ContextDep) -> OperatorOut:
    now = context.clock.now()
    operator = operators.set_duty(db, caller.member_id, body.on_duty, now)
    return _operator_out(db, operator, caller.member_id, now)


@router.delete("/operator", status_code=status.HTTP_204_NO_CONTENT)
def withdraw(caller: Dispatcher, db: DbDep) -> Response:
    operators.forget(db, caller.member_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/calls")
def call_log(
    caller: Dispatcher,
    db: DbDep,
    context: ContextDep,
    minutes: Annotated[int | None, Query(ge=1, le=10080)] = None,
) -> list[CallOut]:
    """The latest calls, newest first (those of the last `minutes` for the live panel); a
    caller is shown only as withheld or not, and banned."""
    now = context.clock.now()
    query = select(HotlineCall, Member.display_name).outerjoin(
        Member, Member.id == HotlineCall.answered_by_id
    )
    if minutes is not None:
        query = query.where(HotlineCall.started_at >= now - timedelta(minutes=minutes))
    banned = set(db.scalars(select(HotlineBan.caller_index)))
    rows = db.execute(query.order_by(HotlineCall.id.desc()).limit(LOG_SIZE)).all()
    return [_call_out(call, name, banned, now) for call, name in rows]


def _call_out(call: HotlineCall, name: str | None, banned: set[str], now: datetime) -> CallOut:
    waited = None
    if call.rung_at is not None:
        waited = int(((call.answered_at or call.ended_at or now) - call.rung_at).total_seconds())
    return CallOut(
        id=call.id,
        language=call.language,
        choice=call.choice,
        status=call.status,
        started_at=call.started_at,
        answered_at=call.answered_at,
        answered_by_id=call.answered_by_id,
        answered_by=name,
        waited_seconds=waited,
        recording_seconds=call.recording_seconds,
        message_stored=call.recording_key is not None,
        withheld=call.caller_index is None,
        banned=call.caller_index in banned,
        report_id=call.report_id,
    )


@router.post("/calls/{call_id}/ban", status_code=status.HTTP_204_NO_CONTENT)
def ban_caller(call_id: PathId, caller: Coordinator, db: DbDep, context: ContextDep) -> Response:
    calls.ban(db, call_id, member_id=caller.member_id, now=context.clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/metrics")
def call_metrics(
    caller: Dispatcher,
    db: DbDep,
    context: ContextDep,
    days: Annotated[int, Query(ge=1, le=90)] = 7,
) -> metrics.CallMetrics:
    """Calls, answers within NENA's 15 s / 20 s, abandoned calls, by hour and language."""
    return metrics.measure(db, now=context.clock.now(), days=days)
