"""The demo seed on the suite's database (SQLite or PostgreSQL): a hotline operator is on
today's shift, on duty, with a phone the hotline can open."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.demo_seed import seeded_demo
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.coverage.models import Schedule
from vecinos.db import transaction
from vecinos.hotline import calls
from vecinos.training.models import Duty


def test_the_seeded_demo_rings_an_operator_on_shift(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock
) -> None:
    seeded_demo(sessions, settings, clock)
    with transaction(sessions) as db:
        rings = calls.on_duty(db, settings, clock.now())
        assert [ring.phone for ring in rings] == ["+13235550148"]
        clock.advance(hours=11)  # the shift lasts twelve hours from half an hour ago
        assert calls.on_duty(db, settings, clock.now())
        clock.advance(hours=1)
        assert calls.on_duty(db, settings, clock.now()) == []


def test_a_later_demo_run_puts_the_operator_back_on_a_shift(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock
) -> None:
    assert seeded_demo(sessions, settings, clock).created
    clock.advance(days=1, hours=5)  # the next day, after the first shift's twelve hours
    with transaction(sessions) as db:
        assert calls.on_duty(db, settings, clock.now()) == []
    assert not seeded_demo(sessions, settings, clock).created
    with transaction(sessions) as db:
        assert [ring.phone for ring in calls.on_duty(db, settings, clock.now())] == ["+13235550148"]
    clock.advance(minutes=10)
    # Still on that shift: nothing more is planned.
    assert not seeded_demo(sessions, settings, clock).created
    with transaction(sessions) as db:
        schedules = db.scalars(select(Schedule).where(Schedule.duty == Duty.HOTLINE.value))
        assert len(schedules.all()) == 2
