"""Swaps: a volunteer hands their place to another qualified volunteer of the organization,
or trades it for one of that volunteer's places. The other accepts or declines.

Everything is checked when the swap is proposed (a clear error at once) and again when it is
accepted (things change in between: a training expires, someone booked the same hour).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from vecinos.coverage.models import Signup, Slot, Swap, SwapState
from vecinos.coverage.schedules import requirement_of
from vecinos.coverage.signups import (
    lock_member,
    my_signup,
    qualification_moment,
    refuse_if_started,
    refuse_overlap,
    refuse_unless_open,
    refuse_unless_responder,
    schedule_of_slot,
)
from vecinos.errors import Conflict, Forbidden, InvalidInput, NotFound
from vecinos.i18n import N_
from vecinos.training.qualification import refuse_unless_qualified


@dataclass(frozen=True)
class Sides:
    given: Signup  # the proposer's place
    taken: Signup | None  # the other's place, in a trade


def _slot(db: Session, signup: Signup) -> Slot:
    slot = db.get(Slot, signup.slot_id)
    assert slot is not None
    return slot


def _refuse_unfit(
    db: Session, member_id: int, signup: Signup, ignoring: Sequence[int], now: datetime,
    *, someone_else: bool,
) -> None:  # fmt: skip
    """Could `member_id` hold `signup`'s place, leaving `ignoring` (places they give up)?"""
    slot = _slot(db, signup)
    refuse_unless_open(slot, now)
    refuse_if_started(signup, now)
    refuse_unless_qualified(
        db, member_id, slot.organization_id, requirement_of(schedule_of_slot(db, slot)),
        qualification_moment(slot, now), someone_else=someone_else,
    )  # fmt: skip
    try:
        refuse_overlap(db, member_id, slot, ignoring=ignoring)
    except Conflict as exc:
        if not someone_else:
            raise
        raise Conflict(
            N_("That volunteer is already signed up at that time."), code="swap_overlap"
        ) from exc


def _check(db: Session, from_member: int, to_member: int, sides: Sides, now: datetime) -> None:
    if to_member == from_member:
        raise InvalidInput(N_("Choose another volunteer to swap with."), code="swap_with_self")
    refuse_unless_responder(db, sides.given.organization_id, to_member)
    mine = [sides.given.id]
    theirs = [sides.taken.id] if sides.taken else []
    _refuse_unfit(db, to_member, sides.given, theirs, now, someone_else=True)
    if sides.taken is not None:
        if sides.taken.member_id != to_member:
            raise NotFound(N_("No such sign-up."), code="signup_not_found")
        if sides.taken.organization_id != sides.given.organization_id:
            raise NotFound(N_("No such sign-up."), code="signup_not_found")
        _refuse_unfit(db, from_member, sides.taken, mine, now, someone_else=False)


def propose(
    db: Session,
    member_id: int,
    signup_id: int,
    to_member_id: int,
    exchange_signup_id: int | None,
    *,
    now: datetime,
) -> Swap:
    given = my_signup(db, member_id, signup_id)
    taken = db.get(Signup, exchange_signup_id) if exchange_signup_id is not None else None
    if exchange_signup_id is not None and taken is None:
        raise NotFound(N_("No such sign-up."), code="signup_not_found")
    _check(db, member_id, to_member_id, Sides(given, taken), now)
    swap = Swap(
        organization_id=given.organization_id,
        signup_id=given.id,
        from_member_id=member_id,
        to_member_id=to_member_id,
        exchange_signup_id=taken.id if taken else None,
        state=SwapState.PROPOSED,
        created_at=now,
    )
    db.add(swap)
    db.flush()
    return swap


def _swap_for(db: Session, member_id: int, swap_id: int) -> Swap:
    swap = db.get(Swap, swap_id)
    if swap is None or member_id not in (swap.to_member_id, swap.from_member_id):
        raise NotFound(N_("No such swap."), code="swap_not_found")
    if SwapState(swap.state) is not SwapState.PROPOSED:
        raise Conflict(N_("This swap was already answered."), code="swap_answered")
    return swap


def accept(db: Session, member_id: int, swap_id: int, *, now: datetime) -> Swap:
    swap = _swap_for(db, member_id, swap_id)
    if swap.to_member_id != member_id:
        raise Forbidden(N_("Only the volunteer asked can accept."), code="not_your_swap")
    lock_member(db, swap.from_member_id)
    lock_member(db, swap.to_member_id)
    given = db.get(Signup, swap.signup_id)
    taken = db.get(Signup, swap.exchange_signup_id) if swap.exchange_signup_id else None
    if (
        given is None
        or given.member_id != swap.from_member_id
        or (swap.exchange_signup_id and taken is None)
    ):
        raise Conflict(N_("This swap no longer holds: a place changed."), code="swap_stale")
    _check(db, swap.from_member_id, swap.to_member_id, Sides(given, taken), now)
    _move(given, swap.to_member_id)
    if taken is not None:
        _move(taken, swap.from_member_id)
    db.flush()
    swap.state, swap.answered_at = SwapState.ACCEPTED, now
    _cancel_others(db, swap, now)
    return swap


def _move(signup: Signup, to_member: int) -> None:
    """The place changes hands; the new holder gets their own reminders."""
    signup.member_id = to_member
    signup.day_reminded_at = signup.hour_reminded_at = signup.late_reminded_at = None
    signup.checked_in_at = None


def _cancel_others(db: Session, swap: Swap, now: datetime) -> None:
    places = [swap.signup_id] + ([swap.exchange_signup_id] if swap.exchange_signup_id else [])
    db.execute(
        update(Swap)
        .where(
            Swap.id != swap.id,
            Swap.state == SwapState.PROPOSED.value,
            or_(Swap.signup_id.in_(places), Swap.exchange_signup_id.in_(places)),
        )
        .values(state=SwapState.CANCELLED.value, answered_at=now)
        .execution_options(synchronize_session=False)
    )


def decline(db: Session, member_id: int, swap_id: int, *, now: datetime) -> Swap:
    """The volunteer asked declines, or the proposer takes the proposal back."""
    swap = _swap_for(db, member_id, swap_id)
    swap.state = SwapState.DECLINED if member_id == swap.to_member_id else SwapState.CANCELLED
    swap.answered_at = now
    return swap


def waiting_for(db: Session, member_id: int) -> Sequence[Swap]:
    """Swaps proposed to this volunteer, or by them, still waiting for an answer."""
    query = select(Swap).where(
        Swap.state == SwapState.PROPOSED.value,
        or_(Swap.to_member_id == member_id, Swap.from_member_id == member_id),
    )
    return db.scalars(query.order_by(Swap.created_at)).all()
