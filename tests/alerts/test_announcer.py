"""The alerts stream's fan-out in one event loop: many pages are one reader of the hub, each
alert is written once per language and every page of that language is handed the same bytes;
a page's stream ends at its time; the last page leaving stops the reading."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import incident, publish_now
from tests.asyncio_helpers import run_soon
from tests.cast import Cast
from vecinos import events
from vecinos.alerts.announcer import Listener, announcer
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.incidents.models import IncidentState

PAGES = 40
WAIT_SECONDS = 30.0  # for an event that should come; a failure, not a hang, if it does not


async def next_of(page: Listener) -> bytes | None:
    return await asyncio.wait_for(page.next(), WAIT_SECONDS)


def test_pages_share_one_reader_and_one_written_event_per_language(
    engine: Engine,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
) -> None:
    incident_id = incident(sessions, cast, IncidentState.CONFIRMED)
    readers_before = events.hub.readers

    async def scenario() -> None:
        here = announcer(sessions)
        pages = [here.join("es" if i % 2 else "en", 600) for i in range(PAGES)]
        assert events.hub.readers == readers_before + 1  # one reader however many pages
        alert_id = await asyncio.to_thread(publish_now, sessions, settings, clock, incident_id)
        chunks = [await next_of(page) for page in pages]
        spanish, english = chunks[1], chunks[0]
        assert spanish is not None and english is not None
        assert f"id: {alert_id}\n".encode() in spanish and b'"language": "es"' in spanish
        assert b'"language": "en"' in english
        # Written once per language: every page holds the very same bytes.
        assert all(chunk is (spanish if i % 2 else english) for i, chunk in enumerate(chunks))
        for page in pages:
            page.leave()
        assert events.hub.readers == readers_before  # nobody listens: the hub is not read
        assert announcer(sessions) is not here  # a later page starts afresh

    with events.listening(engine):  # on PostgreSQL, this process hears the commits' NOTIFY
        run_soon(scenario())


def test_a_page_hears_only_what_came_after_it_and_ends_at_its_time(
    engine: Engine,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
) -> None:
    incident_id = incident(sessions, cast, IncidentState.CONFIRMED)

    async def scenario() -> None:
        here = announcer(sessions)
        early = here.join("es", 600)
        first = await asyncio.to_thread(publish_now, sessions, settings, clock, incident_id)
        heard = await next_of(early)
        assert heard is not None and f"id: {first}\n".encode() in heard
        late = here.join("es", 0.2)  # joined once the first alert was heard
        assert await next_of(late) is None  # its time is up, and nothing before it was handed
        events.hub.deliver(events.Topic.ALERTS, events.RESYNC)
        assert (await next_of(early) or b"").startswith(b"event: ready")  # reload the list
        late.leave()
        early.leave()

    with events.listening(engine):  # on PostgreSQL, this process hears the commits' NOTIFY
        run_soon(scenario())
