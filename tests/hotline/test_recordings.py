"""A message left on the hotline is fetched from the provider (a stand-in speaking Twilio's
Recordings resource) into evidence storage, deleted there, and played to dispatchers from
our own storage."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.servers import TWILIO_SID, HttpStandIn, Reply, Seen
from tests.cast import Cast
from tests.dispatch.factories import client_for
from tests.hotline.conftest import TOKEN, Webhook
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.evidence.storage import read_all, storage_for
from vecinos.hotline import recordings
from vecinos.hotline.call_models import HotlineCall

RECORDING_SID = "RE" + "5" * 32
AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(64))  # what the provider holds


class Provider:
    """Twilio's Recordings resource for one account: the media, then DELETE."""

    def __init__(self) -> None:
        self.held = {RECORDING_SID}
        self.failing = False

    def __call__(self, seen: Seen) -> Reply:
        expected = base64.b64encode(f"{TWILIO_SID}:{TOKEN}".encode()).decode()
        if seen.headers.get("authorization") != f"Basic {expected}":
            return 401, {}, b"{}"
        base = f"/2010-04-01/Accounts/{TWILIO_SID}/Recordings/{RECORDING_SID}"
        if self.failing:
            return 503, {}, b"{}"
        if seen.method == "GET" and seen.path == base + ".wav" and RECORDING_SID in self.held:
            return 200, {"Content-Type": "audio/x-wav"}, AUDIO
        if seen.method == "DELETE" and seen.path == base + ".json" and RECORDING_SID in self.held:
            self.held.discard(RECORDING_SID)
            return 204, {}, b""
        return 404, {}, b"{}"


@pytest.fixture
def provider() -> Iterator[tuple[HttpStandIn, Provider]]:
    behaviour = Provider()
    with HttpStandIn(behaviour) as stand_in:
        yield stand_in, behaviour


@pytest.fixture
def settings(settings: Settings, provider: tuple[HttpStandIn, Provider]) -> Settings:
    # The account's token is the one that signs webhooks too (one Twilio account).
    return settings.model_copy(
        update={"twilio_account_sid": TWILIO_SID, "twilio_base_url": provider[0].url}
    )


def leave_message(hook: Webhook, db: Session) -> int:
    hook("incoming")
    hook("language", Digits="1")
    hook("menu", Digits="2")
    db.rollback()
    call_id = db.scalars(select(HotlineCall.id)).one()
    hook(f"recorded?call={call_id}", RecordingSid=RECORDING_SID, RecordingDuration="12")
    return call_id


def run_job(sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> int:
    with transaction(sessions) as db:
        return recordings.fetch_due(db, clock.now(), settings)  # fetched once this commits


def test_a_message_is_brought_home_and_deleted_at_the_provider(
    hook: Webhook,
    app: FastAPI,
    cast: Cast,
    db: Session,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    settings: Settings,
    provider: tuple[HttpStandIn, Provider],
) -> None:
    stand_in, behaviour = provider
    call_id = leave_message(hook, db)
    assert run_job(sessions, clock, settings) == 1
    db.rollback()
    call = db.get(HotlineCall, call_id)
    assert call is not None and call.recording_state == "deleted"
    assert call.recording_sha256 == hashlib.sha256(AUDIO).hexdigest()
    assert call.recording_key is not None
    assert read_all(storage_for(settings), call.recording_key) == AUDIO
    assert [seen.method for seen in stand_in.seen] == ["GET", "DELETE"]
    assert behaviour.held == set()
    assert run_job(sessions, clock, settings) == 0  # nothing left to do
    with client_for(app, cast, cast.dario) as dario:
        listed = dario.get("/api/hotline/messages").json()
        assert [(m["call_id"], m["seconds"], m["playable"]) for m in listed] == [
            (call_id, 12, True)
        ]
        played = dario.get(f"/api/hotline/messages/{call_id}/audio")
        assert played.status_code == 200 and played.content == AUDIO
    with client_for(app, cast, cast.rosa) as rosa:  # a responder: not for them
        assert rosa.get(f"/api/hotline/messages/{call_id}/audio").status_code == 403


def test_a_provider_that_fails_keeps_the_message_due_and_deletes_nothing(
    hook: Webhook,
    db: Session,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    settings: Settings,
    provider: tuple[HttpStandIn, Provider],
) -> None:
    behaviour = provider[1]
    call_id = leave_message(hook, db)
    behaviour.failing = True
    assert run_job(sessions, clock, settings) == 1
    db.rollback()
    call = db.get(HotlineCall, call_id)
    assert call is not None and call.recording_state == "at_provider"
    assert call.recording_key is None and behaviour.held == {RECORDING_SID}
    assert run_job(sessions, clock, settings) == 0  # leased: not asked again at once
    behaviour.failing = False
    clock.advance(seconds=recordings.LEASE.total_seconds())
    assert run_job(sessions, clock, settings) == 1
    db.rollback()
    done = db.get(HotlineCall, call_id)
    assert done is not None and done.recording_state == "deleted"
    assert behaviour.held == set()
