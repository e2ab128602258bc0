"""A live page misses nothing published while its stream was cut: on reconnecting it catches
up from the feed (the stream says `ready` once it listens)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import incident, publish_now
from tests.browser.fixtures import LiveServer
from tests.cast import Cast
from vecinos.app.factory import create_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings

pytestmark = pytest.mark.browser
STREAM_SECONDS = 1  # each stream closes after a second; browsers come back three seconds later


@pytest.fixture
def short_streams(settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[LiveServer]:
    quick = settings.model_copy(
        update={
            "cookie_secure": False,
            "public_url": "http://127.0.0.1",
            "incident_stream_seconds": STREAM_SECONDS,
        }
    )
    with LiveServer(create_app(quick, engine=engine, clock=clock)) as server:
        yield server


def test_an_alert_published_while_the_stream_was_cut_still_appears(
    page: Page,
    short_streams: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
) -> None:
    incident_id = incident(sessions, cast)
    page.goto(f"{short_streams.url}/alerts")
    expect(page.get_by_text("No active alerts right now.")).to_be_visible()
    time.sleep(STREAM_SECONDS + 1)  # the stream has closed; the browser waits to reconnect
    publish_now(sessions, settings, clock, incident_id)  # nobody is listening
    expect(page.locator("#alerts .alert.confirmed")).to_have_count(1, timeout=10000)
