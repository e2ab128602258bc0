"""Signing up, withdrawing, swapping, checking in from a slot: and every way it can go wrong."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.coverage.factories import (
    SCHOOL,
    WEEKDAY_MORNINGS,
    first_slot,
    make_schedule,
    make_site,
    sign_up,
)
from tests.dispatch.factories import add_responder
from tests.training.factories import qualify
from vecinos.config import Settings
from vecinos.coverage import signups, swaps
from vecinos.coverage.models import Signup, Slot, Swap, SwapState
from vecinos.db import transaction
from vecinos.dispatch.models import Shift
from vecinos.errors import AppError
from vecinos.training.models import Duty, VettingLevel


def count_signups(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Signup)) or 0


def filled(db: Session, slot_id: int) -> int:
    db.expire_all()
    slot = db.get(Slot, slot_id)
    assert slot is not None
    return slot.filled


@contextmanager
def refused(code: str) -> Iterator[None]:
    with pytest.raises(AppError) as caught:
        yield
    assert caught.value.code == code


@pytest.fixture
def slot_id(sessions: sessionmaker[Session], cast: Cast, settings: Settings) -> int:
    schedule_id = make_schedule(sessions, cast, settings, needed=1)
    return first_slot(sessions, schedule_id, cast.clock.now())


def test_sign_up_counts_the_place_and_withdrawing_gives_it_back(
    sessions: sessionmaker[Session], cast: Cast, slot_id: int, db: Session
) -> None:
    signup_id = sign_up(sessions, cast, cast.rosa, slot_id)
    assert filled(db, slot_id) == 1
    with transaction(sessions) as tx:
        signups.withdraw(tx, cast.rosa.member_id, signup_id, now=cast.clock.now())
    assert filled(db, slot_id) == 0
    assert count_signups(db) == 0


def test_a_full_slot_a_second_sign_up_and_an_overlap_are_refused_and_write_nothing(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, slot_id: int, db: Session
) -> None:
    sign_up(sessions, cast, cast.rosa, slot_id)
    with refused("already_signed_up"):
        sign_up(sessions, cast, cast.rosa, slot_id)
    ana = add_responder(sessions, cast, "ana")
    with refused("slot_full"):
        sign_up(sessions, cast, ana, slot_id)
    # Another schedule at the same hour: Rosa cannot be in two places.
    other = make_schedule(sessions, cast, settings, title="Corner watch", needed=3)
    with refused("overlapping_signup"):
        sign_up(sessions, cast, cast.rosa, first_slot(sessions, other, cast.clock.now()))
    assert count_signups(db) == 1
    assert filled(db, slot_id) == 1


def test_a_slot_filled_twice_at_once_takes_exactly_one(
    sessions: sessionmaker[Session], cast: Cast, slot_id: int, db: Session
) -> None:
    people = [add_responder(sessions, cast, f"racer{i}") for i in range(4)]
    start = threading.Barrier(len(people))
    outcomes: list[str] = []

    def race(index: int) -> None:
        start.wait()
        try:
            sign_up(sessions, cast, people[index], slot_id)
            outcomes.append("signed_up")
        except AppError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["signed_up", "slot_full", "slot_full", "slot_full"]
    assert filled(db, slot_id) == 1
    assert count_signups(db) == 1


def test_one_volunteer_booking_two_overlapping_slots_at_once_gets_exactly_one(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, slot_id: int, db: Session
) -> None:
    """Two tabs, two schedules at the same hour: the second booking waits for the first to
    commit (PostgreSQL: the lock on her member row; SQLite: one writer) and then sees it."""
    other = make_schedule(sessions, cast, settings, title="Corner watch", needed=3)
    corner = first_slot(sessions, other, cast.clock.now())
    first = sessions()
    try:
        slot = signups.slot_in(first, cast.eastside, slot_id)
        signups.sign_up(first, cast.rosa.member_id, slot, now=cast.clock.now())
        with ThreadPoolExecutor(max_workers=1) as pool:
            second = pool.submit(_outcome, sessions, cast, corner)
            _until_done_or_waiting_for_a_lock(sessions, second)
            first.commit()
            assert second.result(timeout=60) == "overlapping_signup"
    finally:
        first.close()
    assert count_signups(db) == 1
    assert (filled(db, slot_id), filled(db, corner)) == (1, 0)


def _outcome(sessions: sessionmaker[Session], cast: Cast, slot_id: int) -> str:
    try:
        sign_up(sessions, cast, cast.rosa, slot_id)
    except AppError as error:
        return error.code
    return "signed_up"


def _until_done_or_waiting_for_a_lock(sessions: sessionmaker[Session], second: Future[str]) -> None:
    """On PostgreSQL, until the second booking is blocked on a lock, or (if nothing makes it
    wait) has finished; SQLite's write lock holds it back at BEGIN until the first commits."""
    with sessions() as watcher:
        if watcher.get_bind().dialect.name != "postgresql":
            return
        deadline = time.monotonic() + 30
        while not second.done():
            if watcher.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
                return
            assert time.monotonic() < deadline, "the second booking never reached the database"
            watcher.rollback()
            time.sleep(0.01)


def test_a_cancelled_or_past_slot_cannot_be_joined(
    sessions: sessionmaker[Session], cast: Cast, slot_id: int
) -> None:
    with transaction(sessions) as tx:
        slot = tx.get(Slot, slot_id)
        assert slot is not None
        slot.cancelled_at = cast.clock.now()
    with refused("slot_cancelled"):
        sign_up(sessions, cast, cast.rosa, slot_id)
    with transaction(sessions) as tx:
        slot = tx.get(Slot, slot_id)
        assert slot is not None
        slot.cancelled_at = None
    cast.clock.advance(days=2)
    with refused("slot_over"):
        sign_up(sessions, cast, cast.rosa, slot_id)


def test_training_and_vetting_gate_sign_up_and_expired_training_stops_counting(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    schedule_id = make_schedule(
        sessions, cast, settings, WEEKDAY_MORNINGS, duty=Duty.LEGAL_OBSERVER,
        min_level=VettingLevel.VETTED, title="Court watch",
    )  # fmt: skip
    first = first_slot(sessions, schedule_id, cast.clock.now())
    with refused("not_vetted"):
        sign_up(sessions, cast, cast.rosa, first)
    qualify(sessions, cast, cast.rosa, level=VettingLevel.NEW)
    with refused("not_vetted"):
        sign_up(sessions, cast, cast.rosa, first)
    ana = add_responder(sessions, cast, "ana")
    with transaction(sessions) as tx:
        from vecinos.training import service

        service.set_level(
            tx, cast.eastside, ana.member_id, VettingLevel.TRUSTED,
            actor_id=cast.elena.member_id, now=cast.clock.now(),
        )  # fmt: skip
    with refused("not_trained"):
        sign_up(sessions, cast, ana, first)
    # Trained 360 days ago for a course valid 365 days: fine this week, not in ten days.
    qualify(
        sessions, cast, ana, completed_at=cast.clock.now() - timedelta(days=360),
        level=VettingLevel.TRUSTED,
    )  # fmt: skip
    sign_up(sessions, cast, ana, first)
    later = first_slot(sessions, schedule_id, cast.clock.now() + timedelta(days=10))
    with refused("not_trained"):
        sign_up(sessions, cast, ana, later)
    assert count_signups(db) == 1


def test_a_swap_to_someone_unqualified_is_refused_and_a_trade_changes_both_places(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    schedule_id = make_schedule(
        sessions, cast, settings, duty=Duty.SITE_WATCH, title="School watch", needed=1
    )
    monday = first_slot(sessions, schedule_id, cast.clock.now())
    tuesday = first_slot(sessions, schedule_id, cast.clock.now() + timedelta(days=1))
    qualify(sessions, cast, cast.rosa, Duty.SITE_WATCH)
    mine = sign_up(sessions, cast, cast.rosa, monday)
    ana = add_responder(sessions, cast, "ana")
    with refused("swap_unqualified"), transaction(sessions) as tx:
        swaps.propose(tx, cast.rosa.member_id, mine, ana.member_id, None, now=cast.clock.now())
    assert db.scalar(select(func.count()).select_from(Swap)) == 0
    qualify(sessions, cast, ana, Duty.SITE_WATCH)
    theirs = sign_up(sessions, cast, ana, tuesday)
    with transaction(sessions) as tx:
        swap = swaps.propose(
            tx, cast.rosa.member_id, mine, ana.member_id, theirs, now=cast.clock.now()
        )
        swap_id = swap.id
    with refused("not_your_swap"), transaction(sessions) as tx:
        swaps.accept(tx, cast.rosa.member_id, swap_id, now=cast.clock.now())
    with transaction(sessions) as tx:
        assert swaps.accept(tx, ana.member_id, swap_id, now=cast.clock.now()).state == (
            SwapState.ACCEPTED
        )
    db.expire_all()
    holders = {s.slot_id: s.member_id for s in db.scalars(select(Signup))}
    assert holders == {monday: ana.member_id, tuesday: cast.rosa.member_id}


def test_swap_to_a_volunteer_busy_at_that_hour_is_refused(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings
) -> None:
    schedule_id = make_schedule(sessions, cast, settings, needed=2)
    monday = first_slot(sessions, schedule_id, cast.clock.now())
    mine = sign_up(sessions, cast, cast.rosa, monday)
    other = make_schedule(sessions, cast, settings, title="Corner watch")
    ana = add_responder(sessions, cast, "ana")
    sign_up(sessions, cast, ana, first_slot(sessions, other, cast.clock.now()))
    with refused("swap_overlap"), transaction(sessions) as tx:
        swaps.propose(tx, cast.rosa.member_id, mine, ana.member_id, None, now=cast.clock.now())


def test_check_in_from_a_site_slot_is_one_tap_at_the_site(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    site_id = make_site(sessions, cast, settings)
    schedule_id = make_schedule(sessions, cast, settings, site_id=site_id)
    slot_id = first_slot(sessions, schedule_id, cast.clock.now())
    signup_id = sign_up(sessions, cast, cast.rosa, slot_id)
    with refused("too_early_to_check_in"), transaction(sessions) as tx:
        signups.check_in(
            tx, cast.rosa.member_id, signup_id, position=None, now=cast.clock.now(),
            settings=settings,
        )  # fmt: skip
    with transaction(sessions) as tx:
        start = tx.get(Slot, slot_id)
        assert start is not None
        cast.clock.set(start.starts_at - timedelta(minutes=10))
    with transaction(sessions) as tx:
        shift = signups.check_in(
            tx, cast.rosa.member_id, signup_id, position=None, now=cast.clock.now(),
            settings=settings,
        )  # fmt: skip
        assert (shift.lat, shift.lon) == SCHOOL
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Shift)) == 1
    signup = db.get(Signup, signup_id)
    assert signup is not None and signup.checked_in_at == cast.clock.now()
