"""Signing up for a slot, withdrawing, and checking in from it.

Two guards make a sign-up safe when many people tap at once. The headcount is taken with one
conditional UPDATE (`filled < needed`), so of two volunteers racing for the last place one
wins and the other hears the slot is full. A volunteer's own sign-ups are serialized by a lock
on their member row (PostgreSQL; SQLite has one writer at a time), so two tabs cannot book
overlapping slots. Every check comes before the first write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vecinos.accounts.models import Member, Role, RoleGrant
from vecinos.config import Settings
from vecinos.coverage.models import Schedule, Signup, Site, Slot
from vecinos.coverage.schedules import requirement_of
from vecinos.db.claims import rowcount
from vecinos.dispatch import shifts
from vecinos.dispatch.models import Shift
from vecinos.errors import Conflict, Gone, InvalidInput, NotFound
from vecinos.geo.models import Landmark
from vecinos.i18n import N_
from vecinos.training.qualification import refuse_unless_qualified


def slot_in(db: Session, organization_id: int, slot_id: int) -> Slot:
    slot = db.get(Slot, slot_id)
    if slot is None or slot.organization_id != organization_id:
        raise NotFound(N_("No such slot."), code="slot_not_found")
    return slot


def schedule_of_slot(db: Session, slot: Slot) -> Schedule:
    schedule = db.get(Schedule, slot.schedule_id)
    assert schedule is not None
    return schedule


def refuse_unless_open(slot: Slot, now: datetime) -> None:
    if slot.cancelled_at is not None:
        raise Conflict(N_("This slot was cancelled."), code="slot_cancelled")
    if slot.ends_at <= now:
        raise Gone(N_("This slot is over."), code="slot_over")


def lock_member(db: Session, member_id: int) -> None:
    """Serialize one volunteer's own bookings (a row lock; SQLite already writes one at a time)."""
    db.get(Member, member_id, with_for_update=True, populate_existing=True)


def refuse_overlap(
    db: Session, member_id: int, slot: Slot, *, ignoring: Sequence[int] = ()
) -> None:
    clash = db.scalar(
        select(Signup)
        .where(
            Signup.member_id == member_id,
            Signup.starts_at < slot.ends_at,
            Signup.ends_at > slot.starts_at,
            Signup.id.not_in(list(ignoring) or [0]),
        )
        .limit(1)
    )
    if clash is None:
        return
    if clash.slot_id == slot.id:
        raise Conflict(N_("You are already signed up for this slot."), code="already_signed_up")
    raise Conflict(
        N_("You are already signed up for a slot at that time."),
        code="overlapping_signup",
        details={"signup_id": clash.id},
    )


def qualification_moment(slot: Slot, now: datetime) -> datetime:
    """Training must still count when the slot starts (or now, for one under way)."""
    return max(now, slot.starts_at)


def sign_up(db: Session, member_id: int, slot: Slot, *, now: datetime) -> Signup:
    refuse_unless_open(slot, now)
    lock_member(db, member_id)
    schedule = schedule_of_slot(db, slot)
    refuse_unless_qualified(
        db, member_id, slot.organization_id, requirement_of(schedule),
        qualification_moment(slot, now),
    )  # fmt: skip
    refuse_overlap(db, member_id, slot)
    taken = rowcount(
        db,
        update(Slot)
        .where(Slot.id == slot.id, Slot.filled < Slot.needed, Slot.cancelled_at.is_(None))
        .values(filled=Slot.filled + 1)
        .execution_options(synchronize_session=False),
    )
    if taken != 1:
        raise Conflict(N_("This slot is already full."), code="slot_full")
    signup = Signup(
        slot_id=slot.id,
        member_id=member_id,
        organization_id=slot.organization_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        signed_up_at=now,
    )
    db.add(signup)
    db.flush()
    db.refresh(slot)
    return signup


def my_signup(db: Session, member_id: int, signup_id: int) -> Signup:
    signup = db.get(Signup, signup_id)
    if signup is None or signup.member_id != member_id:
        raise NotFound(N_("No such sign-up."), code="signup_not_found")
    return signup


def refuse_if_started(signup: Signup, now: datetime) -> None:
    if signup.starts_at <= now:
        raise Conflict(N_("This slot has started; check out instead."), code="slot_started")


def withdraw(db: Session, member_id: int, signup_id: int, *, now: datetime) -> Slot:
    """Give the place back before the slot starts; the slot may then be short again."""
    signup = my_signup(db, member_id, signup_id)
    refuse_if_started(signup, now)
    slot = db.get(Slot, signup.slot_id)
    assert slot is not None
    db.delete(signup)
    db.flush()
    rowcount(
        db,
        update(Slot)
        .where(Slot.id == slot.id, Slot.filled > 0)
        .values(filled=Slot.filled - 1)
        .execution_options(synchronize_session=False),
    )
    db.refresh(slot)
    return slot


def site_point(db: Session, schedule: Schedule) -> tuple[float, float] | None:
    if schedule.site_id is None:
        return None
    row = db.execute(
        select(Landmark.lat, Landmark.lon)
        .join(Site, Site.landmark_id == Landmark.id)
        .where(Site.id == schedule.site_id)
    ).first()
    return (row.lat, row.lon) if row else None


def check_in(
    db: Session,
    member_id: int,
    signup_id: int,
    *,
    position: tuple[float, float] | None,
    now: datetime,
    settings: Settings,
) -> Shift:
    """One tap: a shift for the slot's organization, at the site (a fixed post) or where the
    phone is. Already on shift for that organization: the sign-up is simply marked."""
    signup = my_signup(db, member_id, signup_id)
    early = timedelta(minutes=settings.coverage_check_in_early_minutes)
    if now < signup.starts_at - early:
        raise Conflict(
            N_("It is too early to check in for this slot."), code="too_early_to_check_in"
        )
    if signup.ends_at <= now:
        raise Gone(N_("This slot is over."), code="slot_over")
    slot = db.get(Slot, signup.slot_id)
    assert slot is not None
    refuse_unless_open(slot, now)
    shift = shifts.open_shift_of(db, member_id)
    if shift is not None and shift.organization_id != signup.organization_id:
        raise Conflict(
            N_("You are already checked in; check out first."), code="already_checked_in"
        )
    if shift is None:
        where = position or site_point(db, schedule_of_slot(db, slot))
        if where is None:
            raise InvalidInput(
                N_("Share your location to check in for this slot."), code="location_required"
            )
        shift = shifts.check_in(
            db, member_id, signup.organization_id, where[0], where[1], shifts.Capabilities(),
            now=now,
        )  # fmt: skip
    signup.checked_in_at = signup.checked_in_at or now
    return shift


def responders_of(db: Session, organization_id: int) -> list[int]:
    query = select(RoleGrant.member_id).where(
        RoleGrant.organization_id == organization_id, RoleGrant.role == Role.RESPONDER.value
    )
    return sorted(set(db.scalars(query)))


def refuse_unless_responder(db: Session, organization_id: int, member_id: int) -> None:
    grant = select(RoleGrant.id).where(
        RoleGrant.organization_id == organization_id,
        RoleGrant.member_id == member_id,
        RoleGrant.role == Role.RESPONDER.value,
    )
    if db.scalar(grant.limit(1)) is None:
        raise NotFound(
            N_("This person is not a volunteer of the organization."), code="member_not_found"
        )
