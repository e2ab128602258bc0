"""Today's shift check-in decides who rings: an operator on hotline duty rings only while
checked in on a coverage slot with hotline duty; not before, not on another duty's slot, not
after checking out, and not once the slot is over."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.coverage.factories import WEEKDAY_MORNINGS, first_slot, make_schedule
from tests.hotline.conftest import Webhook
from tests.hotline.factories import DOWNTOWN, check_in, hotline_schedule, sign_up_for_today
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.coverage import signups
from vecinos.db import transaction
from vecinos.dispatch import shifts
from vecinos.hotline import operators

DARIO_PHONE = "+12135550111"


def rung(hook: Webhook, n: int) -> list[str]:
    sid = f"CA{n:032d}"
    hook("incoming", sid=sid, sender=f"+1323555{n:04d}")
    hook("language", sid=sid, sender=f"+1323555{n:04d}", Digits="1")
    _, answer = hook("menu", sid=sid, sender=f"+1323555{n:04d}", Digits="1")
    return [number.text or "" for number in answer.iter("Number")]


def test_only_a_checked_in_hotline_shift_rings(
    hook: Webhook,
    sessions: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    with transaction(sessions) as db:
        operators.set_phone(db, cast.dario.member_id, DARIO_PHONE, settings, now=clock.now())
        operators.set_duty(db, cast.dario.member_id, True, clock.now())
    assert rung(hook, 1) == []  # on hotline duty, but no shift: a message instead

    other = make_schedule(sessions, cast, settings, WEEKDAY_MORNINGS)  # no hotline duty
    with transaction(sessions) as db:  # signed up, but for a shift without hotline duty
        slot = signups.slot_in(db, cast.eastside, first_slot(sessions, other, clock.now()))
        watch = signups.sign_up(db, cast.dario.member_id, slot, now=clock.now())
    hotline = hotline_schedule(sessions, cast, settings, cast.eastside)
    signup_id = sign_up_for_today(sessions, cast, cast.dario, hotline, cast.eastside)
    assert rung(hook, 2) == []  # signed up for the hotline, not checked in yet
    assert watch.id != signup_id

    check_in(sessions, cast, settings, cast.dario, signup_id)
    assert rung(hook, 3) == [DARIO_PHONE]

    with transaction(sessions) as db:  # stepped away from the phone, still on shift
        operators.set_duty(db, cast.dario.member_id, False, clock.now())
    assert rung(hook, 4) == []
    with transaction(sessions) as db:
        operators.set_duty(db, cast.dario.member_id, True, clock.now())
    assert rung(hook, 5) == [DARIO_PHONE]

    with transaction(sessions) as db:  # checked out: the shift is over for them
        shifts.check_out(db, shifts.current_shift(db, cast.dario.member_id), now=clock.now())
    assert rung(hook, 6) == []
    with transaction(sessions) as db:
        shifts.check_in(
            db,
            cast.dario.member_id,
            cast.eastside,
            *DOWNTOWN,
            shifts.Capabilities(),
            now=clock.now(),
        )
    assert rung(hook, 7) == [DARIO_PHONE]
    clock.advance(hours=9)  # the slot (10:05 to 18:05) is over, even if nobody checked out
    assert rung(hook, 8) == []
