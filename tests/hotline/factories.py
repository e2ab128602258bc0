"""Operators on a hotline shift, as a coordinator plans it and a volunteer checks in: a daily
coverage schedule with hotline duty, training for it, a sign-up for today's slot, a check-in."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from tests.coverage.factories import first_slot, make_schedule
from tests.training.factories import qualify
from vecinos.config import Settings
from vecinos.coverage import schedules, signups
from vecinos.db import transaction
from vecinos.training.models import Duty

# The cast's clock reads 10:00 in Los Angeles: today's slot (10:05 to 18:05) is about to begin,
# and its volunteers may check in already (a schedule makes no slot that began before it).
HOTLINE_DAYS = schedules.ScheduleFields(
    title="Hotline",
    starts_on=date(2026, 6, 1),
    start_time=time(10, 5),
    duration_minutes=8 * 60,
    needed=3,
    weekdays=("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
)


def hotline_schedule(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, organization_id: int
) -> int:
    return make_schedule(
        sessions, cast, settings, HOTLINE_DAYS, organization_id=organization_id, duty=Duty.HOTLINE
    )


def sign_up_for_today(
    sessions: sessionmaker[Session],
    cast: Cast,
    person: Person,
    schedule_id: int,
    organization_id: int,
) -> int:
    """`person` trained for the hotline and signed up for today's slot (not checked in)."""
    qualify(sessions, cast, person, Duty.HOTLINE, organization_id=organization_id)
    slot_id = first_slot(sessions, schedule_id, after=cast.clock.now().replace(hour=0))
    with transaction(sessions) as db:
        slot = signups.slot_in(db, organization_id, slot_id)
        return signups.sign_up(db, person.member_id, slot, now=cast.clock.now()).id


DOWNTOWN = (34.0522, -118.2437)  # where the operator's phone says it is when checking in


def check_in(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, person: Person, signup_id: int
) -> None:
    with transaction(sessions) as db:
        signups.check_in(
            db,
            person.member_id,
            signup_id,
            position=DOWNTOWN,
            now=cast.clock.now(),
            settings=settings,
        )


def on_hotline_shift(
    sessions: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
    person: Person,
    organization_id: int | None = None,
) -> int:
    """`person` checked in on today's hotline shift of their organization; the sign-up's id."""
    organization = organization_id or cast.eastside
    schedule_id = hotline_schedule(sessions, cast, settings, organization)
    signup_id = sign_up_for_today(sessions, cast, person, schedule_id, organization)
    check_in(sessions, cast, settings, person, signup_id)
    return signup_id
