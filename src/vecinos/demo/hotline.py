"""The demo's hotline: the busiest organization's dispatcher has declared a phone, is trained
for the hotline, and is checked in on today's hotline shift, on duty, so that a person who
calls from the phone simulator and presses 1 hears an operator being rung. The number is a
fictional 555 one, sealed like any operator's."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Role, RoleGrant
from vecinos.config import Settings
from vecinos.coverage import schedules, signups
from vecinos.coverage.models import Slot
from vecinos.demo.coverage import TIMEZONE
from vecinos.geo.models import Landmark
from vecinos.hotline import calls, operators
from vecinos.training import service as training
from vecinos.training.models import Duty, VettingLevel

OPERATOR_PHONE = "(323) 555-0148"
EVERY_DAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SHIFT_MINUTES = 12 * 60
CHECK_IN_PLACE = "Mariachi Plaza"  # a public place: where the operator's phone says it is
# The coordinator planned today's shift and the operator signed up this long before now; the
# shift began half an hour ago, so it is under way whatever the setting for early check-ins.
PLANNED_BEFORE = timedelta(hours=2)
BEGAN_BEFORE = timedelta(minutes=30)


def seed_hotline(db: Session, org_id: int, *, now: datetime, settings: Settings) -> None:
    coordinator = _with_role(db, org_id, Role.COORDINATOR)
    operator = _with_role(db, org_id, Role.DISPATCHER)
    _train(db, org_id, coordinator, operator, now=now - PLANNED_BEFORE)
    operators.set_phone(db, operator, OPERATOR_PHONE, settings, now=now)
    _put_on_shift(db, org_id, coordinator, operator, now=now, settings=settings)


def keep_hotline_staffed(db: Session, org_id: int, *, now: datetime, settings: Settings) -> bool:
    """A later `vecinos demo` (the next day, or after the twelve hours) finds the operator's
    shift over: the coordinator plans a new one under way and the operator checks in again, so
    a call from the phone simulator still rings someone. True when it had to."""
    operator = _with_role(db, org_id, Role.DISPATCHER)
    if calls.is_on_hotline_shift(db, operator, now):
        return False
    coordinator = _with_role(db, org_id, Role.COORDINATOR)
    _put_on_shift(db, org_id, coordinator, operator, now=now, settings=settings)
    return True


def _put_on_shift(
    db: Session, org_id: int, coordinator: int, operator: int, *, now: datetime, settings: Settings
) -> None:
    planned_at = now - PLANNED_BEFORE
    slot = _todays_slot(db, org_id, coordinator, now=now, planned_at=planned_at)
    signup = signups.sign_up(db, operator, slot, now=planned_at)
    signups.check_in(
        db, operator, signup.id, position=_place(db, org_id), now=now, settings=settings
    )
    operators.set_duty(db, operator, True, now)


def _with_role(db: Session, org_id: int, role: Role) -> int:
    found = db.scalar(
        select(RoleGrant.member_id)
        .where(RoleGrant.organization_id == org_id, RoleGrant.role == role.value)
        .order_by(RoleGrant.id)
    )
    assert found is not None, f"the demo organization has no {role.value}"
    return found


def _train(db: Session, org_id: int, coordinator: int, operator: int, *, now: datetime) -> None:
    course = training.create_course(
        db, org_id,
        training.CourseFields("Línea de ayuda", None, 365, frozenset({Duty.HOTLINE})),
        actor_id=coordinator, now=now,
    )  # fmt: skip
    training.record_training(
        db, org_id, course.id, operator, completed_at=now - timedelta(days=20),
        vouched_by_id=coordinator, actor_id=coordinator, now=now,
    )  # fmt: skip
    training.set_level(db, org_id, operator, VettingLevel.VETTED, actor_id=coordinator, now=now)


def _todays_slot(
    db: Session, org_id: int, coordinator: int, *, now: datetime, planned_at: datetime
) -> Slot:
    """A daily hotline shift whose slot today began half an hour ago (on a five-minute mark)."""
    began = (now - BEGAN_BEFORE).astimezone(ZoneInfo(TIMEZONE))
    began = began.replace(minute=began.minute - began.minute % 5, second=0, microsecond=0)
    fields = schedules.ScheduleFields(
        "Línea de ayuda",
        began.date(),
        time(began.hour, began.minute),
        SHIFT_MINUTES,
        2,
        EVERY_DAY,
        timezone=TIMEZONE,
        duty=Duty.HOTLINE,
    )
    schedule = schedules.create_schedule(
        db, org_id, fields, actor_id=coordinator, now=planned_at, horizon_days=7,
        default_timezone=TIMEZONE,
    )  # fmt: skip
    slot = db.scalar(
        select(Slot).where(
            Slot.schedule_id == schedule.id, Slot.starts_at <= now, Slot.ends_at > now
        )
    )
    assert slot is not None, "the hotline schedule made no slot under way now"
    return slot


def _place(db: Session, org_id: int) -> tuple[float, float]:
    found = db.execute(
        select(Landmark.lat, Landmark.lon).where(
            Landmark.organization_id == org_id, Landmark.name == CHECK_IN_PLACE
        )
    ).first()
    assert found is not None, f"the demo organization has no {CHECK_IN_PLACE}"
    return found.lat, found.lon
