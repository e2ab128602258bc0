"""The public read side is cacheable: the alert feeds and the alerts page answer conditional
requests (strong ETag, Last-Modified, 304), say how long a shared cache may keep them, name in
`Vary` what their body depends on, answer HEAD, and are rendered once per change, never
served from before a publish, whichever process or engine published."""

from __future__ import annotations

import asyncio
import gzip
import multiprocessing
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.engine import wait_until
from tests.alerts.outbox_factories import publish_now
from tests.alerts.test_feeds import coarse_incident
from tests.asyncio_helpers import run_soon
from tests.browser.test_alerts_page import publish_in_a_process_of_its_own
from tests.cast import Cast
from vecinos import events
from vecinos.clock import FrozenClock, SystemClock
from vecinos.config import Settings
from vecinos.db import is_sqlite, make_engine, make_session_factory
from vecinos.web.prerender import Prerendered, Rendered

FEEDS = [
    "/api/alerts/feed.json",
    "/api/alerts/feed.atom",
    "/api/alerts/feed.geojson",
    "/alerts",
]
ROUTES = [*FEEDS, "/api/alerts/feed.cap"]
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture
def published(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast
) -> int:
    return publish_now(sessions, settings, clock, coarse_incident(sessions, cast))


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.usefixtures("published")
def test_a_current_copy_is_answered_304_by_etag_and_by_date(client: TestClient, path: str) -> None:
    first = client.get(path, headers=PLAIN)
    assert first.status_code == 200 and first.content
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    control = first.headers["cache-control"]
    assert "public" in control and "max-age=10" in control and "no-store" not in control

    again = client.get(path, headers={**PLAIN, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    for name in ("etag", "cache-control", "last-modified"):
        assert again.headers[name] == first.headers[name]
    assert again.headers.get("vary") == first.headers.get("vary")
    listed = client.get(path, headers={**PLAIN, "If-None-Match": f'"other", W/{etag}'})
    assert listed.status_code == 304  # If-None-Match compares weakly, in a list
    assert client.get(path, headers={**PLAIN, "If-None-Match": '"other"'}).status_code == 200

    dated = client.get(path, headers={**PLAIN, "If-Modified-Since": modified})
    assert dated.status_code == 304
    older = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get(path, headers={**PLAIN, "If-Modified-Since": older}).status_code == 200
    # If-None-Match decides when both are sent: an old tag with a current date is a 200.
    both = {**PLAIN, "If-None-Match": '"other"', "If-Modified-Since": modified}
    assert client.get(path, headers=both).status_code == 200


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.usefixtures("published")
def test_head_has_the_get_headers_and_no_body(client: TestClient, path: str) -> None:
    for encoding in ("identity", "gzip"):
        got = client.get(path, headers={"Accept-Encoding": encoding})
        head = client.head(path, headers={"Accept-Encoding": encoding})
        assert head.status_code == 200 and head.content == b""
        assert dict(head.headers) == dict(got.headers)  # Content-Length included


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.usefixtures("published")
def test_the_gzip_form_is_its_own_representation(client: TestClient, path: str) -> None:
    plain = client.get(path, headers=PLAIN)
    with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as packed:
        raw = b"".join(packed.iter_raw())
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) == len(raw) < len(plain.content)
    assert gzip.decompress(raw) == plain.content
    assert packed.headers["etag"] != plain.headers["etag"]  # strong: one tag per byte sequence
    assert (
        "Accept-Encoding" in packed.headers["vary"] and "Accept-Encoding" in plain.headers["vary"]
    )
    current = {"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]}
    assert client.get(path, headers=current).status_code == 304


@pytest.mark.parametrize("path", FEEDS)
@pytest.mark.usefixtures("published")
def test_vary_names_the_language_sources_only_when_they_choose_it(
    client: TestClient, path: str
) -> None:
    chosen_by_headers = client.get(path, headers=PLAIN)
    assert chosen_by_headers.headers["vary"] == "Accept-Language, Cookie, Accept-Encoding"
    by_header = client.get(path, headers={**PLAIN, "Accept-Language": "es-MX"})
    client.cookies.set("vecinos_lang", "es")
    by_cookie = client.get(path, headers=PLAIN)
    client.cookies.clear()
    english = client.get(path, headers={**PLAIN, "Accept-Language": "en"})
    # Each source named in Vary does change the body.
    assert by_header.content == by_cookie.content != english.content
    assert by_header.headers["etag"] != english.headers["etag"]

    named = client.get(f"{path}?lang=es", headers={**PLAIN, "Accept-Language": "en"})
    assert named.content == by_header.content
    assert named.headers["vary"] == "Accept-Encoding"  # the address alone decides


@pytest.mark.usefixtures("published")
def test_the_cap_feed_varies_by_nothing_but_the_encoding(client: TestClient) -> None:
    english = client.get("/api/alerts/feed.cap", headers={**PLAIN, "Accept-Language": "en"})
    spanish = client.get("/api/alerts/feed.cap", headers={**PLAIN, "Accept-Language": "es"})
    assert english.content == spanish.content  # every language of each alert, for everyone
    assert english.headers["vary"] == "Accept-Encoding"


def test_one_alert_as_cap_answers_conditionally(client: TestClient, published: int) -> None:
    path = f"/api/alerts/{published}.cap"
    first = client.get(path)
    assert first.status_code == 200
    again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    head = client.head(path)
    assert head.content == b"" and head.headers["etag"] == first.headers["etag"]
    assert client.head("/api/alerts/999999.cap").status_code == 404


@pytest.mark.parametrize("path", ROUTES)
def test_the_etag_changes_when_an_alert_is_published_and_when_it_expires(
    client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    path: str,
) -> None:
    empty = client.get(path, headers=PLAIN)
    publish_now(sessions, settings, clock, coarse_incident(sessions, cast))
    wait_until(lambda: client.get(path, headers=PLAIN).content != empty.content, "the publish")
    shown = client.get(path, headers=PLAIN)
    assert shown.headers["etag"] != empty.headers["etag"]
    stale = client.get(path, headers={**PLAIN, "If-None-Match": empty.headers["etag"]})
    assert stale.status_code == 200 and stale.content == shown.content

    clock.advance(minutes=settings.alert_expiry_minutes)  # no event: the body knew its expiry
    expired = client.get(path, headers={**PLAIN, "If-None-Match": shown.headers["etag"]})
    assert expired.status_code == 200 and expired.headers["etag"] != shown.headers["etag"]
    later = expired.headers["last-modified"]
    assert httpx_date(later) > httpx_date(shown.headers["last-modified"])


def httpx_date(value: str) -> float:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(value).timestamp()


def test_a_publish_through_another_engine_is_never_hidden_by_a_kept_copy(
    client: TestClient, settings: Settings, clock: FrozenClock, cast: Cast
) -> None:
    """Another engine: another pool, as another web process or a `vecinos worker` has. On
    PostgreSQL its NOTIFY reaches this app's listener; on SQLite the one process hears it."""
    kept = {path: client.get(path, headers=PLAIN) for path in FEEDS}
    other = make_engine(settings.effective_database_url)
    try:
        other_sessions = make_session_factory(other)
        publish_now(other_sessions, settings, clock, coarse_incident(other_sessions, cast))
    finally:
        other.dispose()
    for path, before in kept.items():
        wait_until(changed(client, path, before.headers["etag"]), path)
        assert client.get(path, headers=PLAIN).headers["etag"] != before.headers["etag"]


def test_a_publish_by_another_process_reaches_every_kept_copy(
    client: TestClient,
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    sessions: sessionmaker[Session],
) -> None:
    if is_sqlite(settings.effective_database_url):
        pytest.skip("SQLite is served by one process, which hears its own alerts")
    kept = {path: client.get(path, headers=PLAIN) for path in FEEDS}
    incident_id = coarse_incident(sessions, cast)
    worker = multiprocessing.get_context("spawn").Process(
        target=publish_in_a_process_of_its_own, args=(settings, incident_id, clock.now())
    )
    worker.start()
    worker.join(240)  # a fresh interpreter imports everything: slow on a loaded machine
    assert worker.exitcode == 0
    for path, before in kept.items():
        wait_until(changed(client, path, before.headers["etag"]), path)
        assert '"kind": "confirmed"' in client.get("/api/alerts/feed.json").text


def changed(client: TestClient, path: str, etag: str) -> Callable[[], bool]:
    def answered_anew() -> bool:
        return client.get(path, headers={**PLAIN, "If-None-Match": etag}).status_code == 200

    return answered_anew


# ---- the kept bodies themselves -----------------------------------------------------------


class Counting:
    """A rendering that counts its calls and can do something halfway through."""

    def __init__(self, during: Callable[[], None] = lambda: None) -> None:
        self.calls = 0
        self.during = during

    def __call__(self) -> Rendered:
        self.calls += 1
        self.during()
        return Rendered(f"body {self.calls}".encode(), "text/plain", None)


def test_a_body_is_rendered_once_until_an_alert_event() -> None:
    run_soon(_a_body_is_rendered_once_until_an_alert_event())


async def _a_body_is_rendered_once_until_an_alert_event() -> None:
    kept = Prerendered(events.Topic.ALERTS, SystemClock(), hears=lambda: True)
    render = Counting()
    assert (await kept.get("k", render)).identity.body == b"body 1"
    assert (await kept.get("k", render)).identity.body == b"body 1"
    events.hub.deliver(events.Topic.INCIDENTS, {"incident_id": 1})  # not the topic
    assert (await kept.get("k", render)).identity.body == b"body 1"
    events.hub.deliver(events.Topic.ALERTS, {"alert_id": 1})
    assert (await kept.get("k", render)).identity.body == b"body 2"
    events.hub.deliver(events.Topic.ALERTS, events.RESYNC)  # events may have been missed
    assert (await kept.get("k", render)).identity.body == b"body 3"


def test_a_body_rendered_while_an_alert_arrived_is_not_kept() -> None:
    run_soon(_a_body_rendered_while_an_alert_arrived_is_not_kept())


async def _a_body_rendered_while_an_alert_arrived_is_not_kept() -> None:
    kept = Prerendered(events.Topic.ALERTS, SystemClock(), hears=lambda: True)
    render = Counting(lambda: events.hub.deliver(events.Topic.ALERTS, {"alert_id": 1}))
    assert (await kept.get("k", render)).identity.body == b"body 1"  # from before the event
    render.during = lambda: None
    assert (await kept.get("k", render)).identity.body == b"body 2"
    assert (await kept.get("k", render)).identity.body == b"body 2"


def test_nothing_is_kept_while_events_may_be_missed() -> None:
    run_soon(_nothing_is_kept_while_events_may_be_missed())


async def _nothing_is_kept_while_events_may_be_missed() -> None:
    hearing = False
    kept = Prerendered(events.Topic.ALERTS, SystemClock(), hears=lambda: hearing)
    render = Counting()
    await kept.get("k", render)
    await kept.get("k", render)
    assert render.calls == 2  # the listener is reconnecting: every request renders afresh
    hearing = True
    await kept.get("k", render)
    await kept.get("k", render)
    assert render.calls == 3


def test_many_requests_at_once_make_one_rendering() -> None:
    kept = Prerendered(events.Topic.ALERTS, SystemClock(), hears=lambda: True)
    render = Counting()

    async def burst() -> set[bytes]:
        found = await asyncio.gather(*(kept.get("burst", render) for _ in range(50)))
        return {k.identity.body for k in found}

    assert run_soon(burst()) == {b"body 1"} and render.calls == 1
