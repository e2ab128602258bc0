"""The demo seed on the suite's database (SQLite or PostgreSQL): a hotline operator is on
today's shift, on duty, with a phone the hotline can open."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import transaction
from vecinos.demo.seed import seed
from vecinos.hotline import calls


def test_the_seeded_demo_rings_an_operator_on_shift(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock
) -> None:
    with transaction(sessions) as db:
        seed(
            db,
            now=clock.now(),
            encryptor=Encryptor(settings.secret, "totp", settings.old_secrets),
            coalition_name="vecinos",
            settings=settings,
        )
    with transaction(sessions) as db:
        rings = calls.on_duty(db, settings, clock.now())
        assert [ring.phone for ring in rings] == ["+13235550148"]
        clock.advance(hours=11)  # the shift lasts twelve hours from half an hour ago
        assert calls.on_duty(db, settings, clock.now())
        clock.advance(hours=1)
        assert calls.on_duty(db, settings, clock.now()) == []
