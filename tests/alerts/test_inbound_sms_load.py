"""The texts webhook when many text back at once: STOP is never refused by a rate limit, and
the texts that change nothing are answered without SQLite's write lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, make_url
from sqlalchemy.orm import Session

from tests.alerts.test_inbound_sms import TOKEN, active_subscriber, reply_of, status, text
from vecinos.alerts.models import SubscriptionStatus
from vecinos.app.factory import create_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import is_sqlite

NUMBER = "+12135550142"  # the subscriber `active_subscriber` makes


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_auth_token": SecretStr(TOKEN)})


@pytest.fixture
def three_a_minute(settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[TestClient]:
    """The app with a ceiling of three texts a minute for everyone together."""
    low = settings.model_copy(update={"inbound_texts_per_minute": 3})
    with TestClient(create_app(low, engine=engine, clock=clock)) as client:
        yield client


def test_a_number_that_used_up_its_limit_can_still_stop(
    client: TestClient, db: Session, settings: Settings
) -> None:
    active_subscriber(client, db, settings)
    answered = [text(client, "gracias", sender=NUMBER)[0] for _ in range(31)]
    assert answered[:30] == [200] * 30 and answered[30] == 429
    code, twiml = text(client, "ALTO", sender=NUMBER)
    assert code == 200 and "no recibirá más alertas" in reply_of(twiml)
    assert status(db) == SubscriptionStatus.UNSUBSCRIBED


def test_past_the_ceiling_for_everyone_stop_still_works(
    three_a_minute: TestClient, db: Session, settings: Settings
) -> None:
    active_subscriber(three_a_minute, db, settings)  # its opt-in is not a text: not counted
    others = [text(three_a_minute, "gracias", sender=f"+1323555010{n}")[0] for n in range(3)]
    assert others == [200, 200, 200]
    code, _ = text(three_a_minute, "AYUDA", sender="+13235550109")
    assert code == 429
    code, twiml = text(three_a_minute, "STOP", sender=NUMBER)
    assert code == 200 and "no more alerts" in reply_of(twiml)
    assert status(db) == SubscriptionStatus.UNSUBSCRIBED


@pytest.fixture
def write_lock_held(database_url: str) -> Iterator[None]:
    """Another writer in the middle of a transaction, as a report filed meanwhile would be."""
    if not is_sqlite(database_url):
        pytest.skip("the write lock that queues writers is SQLite's")
    writer = sqlite3.connect(str(make_url(database_url).database), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("AYUDA", "avisos marcados SIN CONFIRMAR"),
        ("DERECHOS", "https://vecinos.test/rights/es"),
        ("ZONAS", "no recibe alertas"),
        ("gracias", ""),
        ("2", "no hay un reporte en curso"),
    ],
)
def test_texts_that_change_nothing_do_not_wait_for_the_writer(
    client: TestClient, write_lock_held: None, body: str, expected: str
) -> None:
    code, twiml = text(client, body, sender="+13235550177")
    assert code == 200
    assert expected in reply_of(twiml) if expected else reply_of(twiml) == ""
