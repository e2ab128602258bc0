"""The demo coalition seeded on the suite's database, as `vecinos demo` seeds it before serving."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import transaction
from vecinos.demo.seed import DemoSeed, seed


def seeded_demo(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    *,
    coalition: str = "vecinos",
    hotline: bool = True,
) -> DemoSeed:
    """With `hotline`, an operator is on a hotline shift under way too (sealed with the
    settings' keyring); `created` is False when the coalition was there already."""
    with transaction(sessions) as db:
        seeded = seed(
            db,
            now=clock.now(),
            encryptor=Encryptor(settings.secret, "totp", settings.old_secrets),
            coalition_name=coalition,
            settings=settings if hotline else None,
        )
    return seeded
