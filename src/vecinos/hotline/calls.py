"""The call log behind the hotline's webhooks: who is calling (as a keyed index), what they
chose, who took the call, the message they left. Services take a session and never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnExpressionArgument, Exists, func, literal, select, update
from sqlalchemy.orm import Session

from vecinos import keyring, limits
from vecinos.alerts import contacts
from vecinos.config import Settings
from vecinos.coverage.models import Schedule, Signup, Slot
from vecinos.crypto import blind_index, constant_time_equal
from vecinos.db.claims import rowcount
from vecinos.dispatch.models import Shift
from vecinos.errors import AppError, NotFound
from vecinos.hotline.call_models import CallStatus, HotlineBan, HotlineCall, HotlineOperator
from vecinos.hotline.voice import Ring
from vecinos.hotline.writeups import changed
from vecinos.i18n import N_
from vecinos.training.models import Duty

CALLER_PURPOSE = "hotline-caller"
REPLAY_WINDOW = timedelta(hours=4)  # no call lasts longer: a request for an older one is a replay


@dataclass(frozen=True)
class Caller:
    index: str | None  # None: the number was withheld
    e164: str | None  # in memory only; stored sealed, for the callback retention


def caller_of(address: str, settings: Settings) -> Caller:
    try:
        e164 = contacts.phone(address).key
    except AppError:
        return Caller(None, None)  # withheld, anonymous or not a phone number
    return Caller(blind_index(settings.secret, CALLER_PURPOSE, e164), e164)


def start(
    db: Session, call_sid: str, caller: Caller, *, now: datetime, settings: Settings
) -> HotlineCall:
    """The call's row; a repeated webhook for the same call finds the one it made."""
    found = db.scalar(select(HotlineCall).where(HotlineCall.call_sid == call_sid))
    if found is not None:
        return found
    purge_at = now + timedelta(hours=settings.contact_retention_hours) if caller.e164 else None
    sealed = None
    if caller.e164 is not None and purge_at is not None:
        # Under the key of the hour it is purged: gone with that key, wherever copies remain.
        sealed = keyring.report_contacts(settings).seal(caller.e164, until=purge_at)
    call = HotlineCall(
        call_sid=call_sid,
        caller_index=caller.index,
        caller_encrypted=sealed,
        caller_purge_at=purge_at,
        status=CallStatus.MENU,
        started_at=now,
    )
    db.add(call)
    db.flush()
    changed(db, call.id)
    return call


def is_banned(db: Session, caller: Caller) -> bool:
    if caller.index is None:
        return False
    return (
        db.scalar(select(HotlineBan.id).where(HotlineBan.caller_index == caller.index)) is not None
    )


def saturated(db: Session, *, now: datetime, settings: Settings) -> bool:
    """As many calls open (in the menu, ringing, leaving a message) as the line takes; a call
    whose end never reached us stops counting after the replay window."""
    open_calls = db.scalar(
        select(func.count())
        .select_from(HotlineCall)
        .where(
            HotlineCall.ended_at.is_(None),
            HotlineCall.status.in_([CallStatus.MENU, CallStatus.RINGING, CallStatus.RECORDING]),
            HotlineCall.started_at > now - REPLAY_WINDOW,
        )
    )
    return int(open_calls or 0) >= settings.hotline_max_open_calls


def over_limit(db: Session, caller: Caller, *, now: datetime, settings: Settings) -> bool:
    """More calls from one number than the hourly allowance (a withheld number has none)."""
    if caller.index is None:
        return False
    per_hour = settings.hotline_calls_per_caller_per_hour
    granted, _ = limits.take(
        db, f"hotline:{caller.index[:32]}", rate=per_hour / 3600, burst=per_hour, want=1, now=now
    )
    return granted == 0


def by_sid(db: Session, call_sid: str, now: datetime) -> HotlineCall:
    call = db.scalar(select(HotlineCall).where(HotlineCall.call_sid == call_sid))
    return _live(call, now)


def by_id(db: Session, call_id: int, now: datetime) -> HotlineCall:
    return _live(db.get(HotlineCall, call_id), now)


def _live(call: HotlineCall | None, now: datetime) -> HotlineCall:
    if call is None or call.started_at < now - REPLAY_WINDOW:
        raise NotFound(N_("No such call."), code="call_not_found")
    return call


def on_duty(db: Session, settings: Settings, now: datetime) -> list[Ring]:
    """Who rings: operators on hotline duty (not stepped away) who checked in today on a
    coverage shift with hotline duty that is under way; numbers opened only to ring them."""
    vault = keyring.hotline_operators(settings)
    operators = db.scalars(
        select(HotlineOperator)
        .where(HotlineOperator.on_duty.is_(True), on_hotline_shift(HotlineOperator.member_id, now))
        .order_by(HotlineOperator.id)
    )
    rings = ((op.id, vault.open_or_none(op.phone_encrypted)) for op in operators)
    return [Ring(op_id, phone) for op_id, phone in rings if phone is not None]


def on_hotline_shift(member: ColumnExpressionArgument[int], now: datetime) -> Exists:
    """The member checked in on a slot with hotline duty that is not over, and has not checked
    out since (their dispatch shift is still open)."""
    return (
        select(Signup.id)
        .join(Slot, Slot.id == Signup.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .join(Shift, (Shift.member_id == Signup.member_id) & Shift.ended_at.is_(None))
        .where(
            Signup.member_id == member,
            Signup.checked_in_at.is_not(None),
            Signup.ends_at > now,
            Slot.cancelled_at.is_(None),
            Schedule.duty == Duty.HOTLINE.value,
        )
        .exists()
    )


def is_on_hotline_shift(db: Session, member_id: int, now: datetime) -> bool:
    return bool(db.scalar(select(on_hotline_shift(literal(member_id), now))))


def ringing(db: Session, call: HotlineCall, now: datetime) -> None:
    call.choice, call.status, call.rung_at = "now", CallStatus.RINGING, now
    changed(db, call.id)


def take(db: Session, call_id: int, operator_id: int, now: datetime) -> bool:
    """The first operator to press the key takes the call; True for that one only."""
    operator = db.get(HotlineOperator, operator_id)
    if operator is None:
        return False
    won = rowcount(
        db,
        update(HotlineCall)
        .where(HotlineCall.id == call_id, HotlineCall.answered_at.is_(None))
        .values(answered_at=now, answered_by_id=operator.member_id, status=CallStatus.ANSWERED)
        .execution_options(synchronize_session=False),
    )
    if won == 1:
        changed(db, call_id)
    return won == 1


def recording(db: Session, call: HotlineCall, choice: str) -> None:
    call.choice = call.choice or choice
    call.status = CallStatus.RECORDING
    changed(db, call.id)


def recorded(
    db: Session, call: HotlineCall, recording_sid: str, seconds: int, now: datetime
) -> None:
    call.recording_sid, call.recording_seconds = recording_sid, seconds
    call.recording_state, call.recording_next_at = "at_provider", now  # fetched by the worker
    call.status, call.ended_at = CallStatus.MESSAGE, now
    changed(db, call.id)


def ended(db: Session, call: HotlineCall, now: datetime) -> None:
    if call.status not in (CallStatus.ANSWERED, CallStatus.MESSAGE):
        call.status = CallStatus.ENDED
    if call.ended_at is None:
        call.ended_at = now
        changed(db, call.id)


# What Twilio's status callback says when a call is over, however it ended.
FINAL_CALL_STATES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def status_reported(db: Session, call_sid: str, state: str | None, now: datetime) -> None:
    """Twilio's status callback: a final state ends the call (a caller who hangs up while
    operators are still ringing is an abandoned call)."""
    if state in FINAL_CALL_STATES:
        ended(db, by_sid(db, call_sid, now), now)


def ban(db: Session, call_id: int, *, member_id: int, now: datetime) -> HotlineBan:
    """Ban the caller of a logged call (never a typed number); a withheld caller cannot be."""
    call = db.get(HotlineCall, call_id)
    if call is None:
        raise NotFound(N_("No such call."), code="call_not_found")
    if call.caller_index is None:
        raise NotFound(
            N_("This caller withheld their number; there is nothing to ban."),
            code="caller_withheld",
        )
    found = db.scalar(select(HotlineBan).where(HotlineBan.caller_index == call.caller_index))
    if found is not None:
        return found
    made = HotlineBan(caller_index=call.caller_index, banned_by_id=member_id, banned_at=now)
    db.add(made)
    db.flush()
    changed(db, call.id)
    return made


def purge_callers(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's sweep: callers' sealed numbers past the callback retention are erased."""
    return rowcount(
        db,
        update(HotlineCall)
        .where(HotlineCall.caller_purge_at.is_not(None), HotlineCall.caller_purge_at <= now)
        .values(caller_encrypted=None, caller_purge_at=None)
        .execution_options(synchronize_session=False),
    )


CAPTCHA_PURPOSE = "hotline-captcha"
CAPTCHA_DIGITS = 3


def captcha_due(db: Session, *, now: datetime, settings: Settings) -> bool:
    """Switched on by hand, or by a flood: as many calls in the last minute as the threshold."""
    if settings.hotline_captcha != "auto":
        return settings.hotline_captcha == "always"
    recent = db.scalar(
        select(func.count())
        .select_from(HotlineCall)
        .where(HotlineCall.started_at > now - timedelta(minutes=1))
    )
    return int(recent or 0) >= settings.hotline_captcha_calls_per_minute


def set_captcha(call: HotlineCall, settings: Settings) -> str:
    """New digits for the caller to press; only their keyed hash is kept."""
    digits = "".join(str(secrets.randbelow(10)) for _ in range(CAPTCHA_DIGITS))
    call.captcha_hash = _captcha_hash(call.id, digits, settings)
    return digits


def passes_captcha(call: HotlineCall, pressed: str, settings: Settings) -> bool:
    expected = call.captcha_hash
    if expected is None:
        return True
    if not constant_time_equal(expected, _captcha_hash(call.id, pressed, settings)):
        return False
    call.captcha_hash = None
    return True


def _captcha_hash(call_id: int, digits: str, settings: Settings) -> str:
    return blind_index(settings.secret, CAPTCHA_PURPOSE, f"{call_id}:{digits}")
