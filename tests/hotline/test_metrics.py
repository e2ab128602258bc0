"""Hotline metrics from the call log: answered within NENA's 15 s and 20 s, abandoned calls,
messages, by hour and language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.dispatch.factories import client_for
from tests.hotline.conftest import PUBLIC_URL, Webhook, follow
from tests.hotline.factories import on_hotline_shift
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.hotline import operators
from vecinos.hotline.call_models import HotlineCall


@pytest.fixture
def dario(app: FastAPI, cast: Cast) -> Iterator[TestClient]:
    with client_for(app, cast, cast.dario) as client:
        yield client


def ring(hook: Webhook, sid: str, sender: str, language_digit: str) -> None:
    hook("incoming", sid=sid, sender=sender)
    hook("language", sid=sid, sender=sender, Digits=language_digit)
    hook("menu", sid=sid, sender=sender, Digits="1")


def call_id(db: Session, sid: str) -> int:
    db.rollback()
    return db.scalars(select(HotlineCall.id).where(HotlineCall.call_sid == sid)).one()


def accept_after(
    client: TestClient, db: Session, clock: FrozenClock, sid: str, seconds: int, op: int
) -> None:
    """Operator `op` presses 1 `seconds` after ringing began."""
    clock.advance(seconds=seconds)
    url = f"{PUBLIC_URL}/api/hotline/voice/accept?call={call_id(db, sid)}&op={op}"
    follow(client, url, Digits="1")


def test_answers_within_the_standard_abandoned_calls_and_messages(
    hook: Webhook,
    client: TestClient,
    dario: TestClient,
    sessions: sessionmaker[Session],
    db: Session,
    cast: Cast,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    with transaction(sessions) as session:
        op = operators.set_phone(
            session, cast.wanda.member_id, "+13105550122", settings, now=clock.now()
        )
        operators.set_duty(session, cast.wanda.member_id, True, clock.now())
        op_id = op.id
    on_hotline_shift(sessions, cast, settings, cast.wanda, cast.westside)
    ring(hook, "CA" + "1" * 32, "+13235550101", "1")
    accept_after(client, db, clock, "CA" + "1" * 32, 10, op_id)
    hook("status", sid="CA" + "1" * 32, CallStatus="completed")
    ring(hook, "CA" + "2" * 32, "+13235550102", "2")
    accept_after(client, db, clock, "CA" + "2" * 32, 18, op_id)
    hook("status", sid="CA" + "2" * 32, CallStatus="completed")
    ring(hook, "CA" + "3" * 32, "+13235550103", "1")
    clock.advance(seconds=40)
    hook("status", sid="CA" + "3" * 32, CallStatus="completed")  # hung up while ringing
    hook("incoming", sid="CA" + "4" * 32, sender="+13235550104")
    hook("language", sid="CA" + "4" * 32, Digits="1")
    hook("menu", sid="CA" + "4" * 32, Digits="2")
    hook(
        f"recorded?call={call_id(db, 'CA' + '4' * 32)}",
        sid="CA" + "4" * 32,
        RecordingSid="RE" + "4" * 32,
        RecordingDuration="20",
    )
    answer = dario.get("/api/hotline/metrics", params={"days": 1})
    assert answer.status_code == 200
    got = answer.json()
    assert (got["calls"], got["rung"], got["answered"], got["abandoned"], got["messages"]) == (
        4,
        3,
        2,
        1,
        1,
    )
    assert got["answered_within"] == {"15": pytest.approx(1 / 3), "20": pytest.approx(2 / 3)}
    assert got["meets_standard"] == {"15": False, "20": False}
    assert got["by_language"] == {"es": 3, "en": 1}
    assert sum(row["calls"] for row in got["by_hour"]) == 4
    assert client.get("/api/hotline/metrics").status_code in (401, 403)
