"""Recurring schedules keep their local time across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.coverage.factories import WEEKDAY_MORNINGS, make_schedule, slots_of
from vecinos.config import Settings
from vecinos.coverage import recurrence, schedules
from vecinos.coverage.models import Schedule
from vecinos.db import transaction
from vecinos.errors import InvalidInput

LA = ZoneInfo("America/Los_Angeles")


def local(moment: datetime) -> datetime:
    return moment.astimezone(LA)


def test_weekly_slots_keep_their_local_time_across_spring_forward(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    cast.clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # a week before clocks change
    schedule_id = make_schedule(
        sessions, cast, settings, starts_on=date(2026, 3, 2), weekdays=("MO", "TH")
    )
    slots = slots_of(db, schedule_id)
    assert len(slots) == 8  # 28 days, Mondays and Thursdays
    assert {(local(s.starts_at).hour, local(s.starts_at).minute) for s in slots} == {(7, 30)}
    before, after = slots[1], slots[2]  # Thursday 5 March, Monday 9 March
    assert local(before.starts_at).date() == date(2026, 3, 5)
    assert before.starts_at.hour == 15  # 07:30 PST is 15:30 UTC…
    assert after.starts_at.hour == 14  # …07:30 PDT is 14:30 UTC
    assert all(s.ends_at - s.starts_at == timedelta(minutes=60) for s in slots)


def test_a_night_shift_across_fall_back_ends_at_its_local_end(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    cast.clock.set(datetime(2026, 10, 30, 12, 0, tzinfo=UTC))
    schedule_id = make_schedule(
        sessions, cast, settings, starts_on=date(2026, 10, 30), weekdays=(),
        start_time=time(19, 0), duration_minutes=12 * 60, ends_on=date(2026, 11, 2),
    )  # fmt: skip
    slots = slots_of(db, schedule_id)
    assert [local(s.starts_at).day for s in slots] == [30, 31, 1, 2]
    lengths = [s.ends_at - s.starts_at for s in slots]
    # The night of 31 October into 1 November has 13 hours: 19:00 to 07:00 on the wall clock.
    assert lengths == [timedelta(hours=12), timedelta(hours=13), *[timedelta(hours=12)] * 2]
    assert {local(s.ends_at).hour for s in slots} == {7}


def test_a_time_the_clock_skips_happens_an_hour_later_and_a_repeated_time_once() -> None:
    rule = recurrence.Rule(())
    spring = list(
        recurrence.occurrences(
            rule, starts_on=date(2026, 3, 7), ends_on=date(2026, 3, 9), start_time=time(2, 30),
            duration=timedelta(hours=1), tz=LA, after=datetime(2026, 3, 1, tzinfo=UTC),
            until=datetime(2026, 3, 20, tzinfo=UTC),
        )
    )  # fmt: skip
    assert [local(start).strftime("%d %H:%M") for start, _ in spring] == [
        "07 02:30",
        "08 03:30",
        "09 02:30",
    ]
    autumn = list(
        recurrence.occurrences(
            rule, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 1), start_time=time(1, 30),
            duration=timedelta(hours=1), tz=LA, after=datetime(2026, 10, 1, tzinfo=UTC),
            until=datetime(2026, 12, 1, tzinfo=UTC),
        )
    )  # fmt: skip
    assert len(autumn) == 1
    assert autumn[0][0] == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 01:30 PDT, the first one


def test_the_worker_moves_the_horizon_without_making_a_slot_twice(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    schedule_id = make_schedule(sessions, cast, settings)
    made = len(slots_of(db, schedule_id))
    assert made == 20  # four weeks of weekdays from Monday 1 June
    cast.clock.advance(days=7)
    with transaction(sessions) as tx:
        assert schedules.extend_horizons(tx, cast.clock.now(), settings) == 5
    with transaction(sessions) as tx:
        assert schedules.extend_horizons(tx, cast.clock.now(), settings) == 0
    starts = [s.starts_at for s in slots_of(db, schedule_id)]
    assert len(starts) == len(set(starts)) == 25


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"weekdays": ("XX",)}, "invalid_recurrence"),
        ({"every_weeks": 9}, "invalid_recurrence"),
        ({"needed": 0}, "invalid_headcount"),
        ({"duration_minutes": 5}, "invalid_duration"),
        ({"title": "  "}, "invalid_title"),
        ({"ends_on": date(2026, 5, 1)}, "ends_before_start"),
        ({"timezone": "Mars/Olympus"}, "unknown_timezone"),
    ],
)
def test_bad_schedules_are_refused_and_nothing_is_written(
    sessions: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
    db: Session,
    changes: dict[str, Any],
    code: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        make_schedule(sessions, cast, settings, WEEKDAY_MORNINGS, **changes)
    assert refused.value.code == code
    assert db.scalar(select(Schedule.id)) is None
