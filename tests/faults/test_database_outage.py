"""PostgreSQL going away under load is answered, not crashed: while it is gone every request
gets 503 with `Retry-After` (no 500, no connection dropped without an answer), and once it is
back each refused report, sent again with its idempotency key as the phone's outbox does, is
written exactly once: none lost, none doubled.

The database is reached through a TCP proxy the test cuts (every connection dropped, new ones
refused, as a restart or a failover looks from the application) and restores.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.browser.fixtures import LiveServer
from tests.faults.proxy import CuttableProxy
from tests.reports.factories import EASTSIDE_PIN, device
from tests.reports.factories import body as report_body
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import is_sqlite, make_engine
from vecinos.reports.models import Report
from vecinos.web.app import create_app

PHONES = 6  # phones sending reports at once
WAIT_SECONDS = 20.0  # the bound of every wait in this test
MAX_ATTEMPTS = 20  # one report's tries before the test calls it lost


@pytest.fixture
def proxy(database_url: str, engine: Engine) -> Iterator[CuttableProxy]:
    if is_sqlite(database_url):
        pytest.skip("SQLite is a file inside the process: it cannot go away as a server does")
    with CuttableProxy(database_url) as running:
        yield running


@pytest.fixture
def server(proxy: CuttableProxy, settings: Settings, clock: FrozenClock) -> Iterator[LiveServer]:
    """The app served over real HTTP, its database behind the proxy."""
    through = make_engine(proxy.url)
    plain_http = settings.model_copy(
        update={"database_url": proxy.url, "cookie_secure": False, "public_url": "http://127.0.0.1"}
    )
    with LiveServer(create_app(plain_http, engine=through, clock=clock)) as running:
        yield running
    through.dispose()


@dataclass
class Load:
    """What the phones saw, and the moments the test waits for."""

    acknowledged: dict[str, int] = field(default_factory=dict)  # idempotency key -> report id
    refused: list[httpx.Response] = field(default_factory=list)  # 503s
    unexpected: list[str] = field(default_factory=list)  # anything else: a 500, a dropped line
    restored: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def wait_until(self, test: object, what: str) -> None:
        assert callable(test)
        with self.changed:
            assert self.changed.wait_for(test, WAIT_SECONDS), f"waited for {what}: {self}"

    def note(self, outcome: str, key: str, answer: httpx.Response | None) -> None:
        with self.changed:
            if outcome == "ok" and answer is not None:
                self.acknowledged[key] = answer.json()["report_id"]
            elif outcome == "refused" and answer is not None:
                self.refused.append(answer)
            else:
                self.unexpected.append(f"{key}: {outcome}")
            self.changed.notify_all()


def phone(url: str, load: Load, number: int) -> None:
    """Sends reports until told to stop; a refused one is sent again with the same key once the
    database is back (the test's stand-in for honouring Retry-After)."""
    with httpx.Client(base_url=url, timeout=WAIT_SECONDS) as client:
        sent = 0
        while not load.stop.is_set():
            key, body = (
                f"phone-{number}-report-{sent}",
                report_body(EASTSIDE_PIN, device_token=device()),
            )
            _send_until_written(client, load, key, body)
            sent += 1


def _send_until_written(
    client: httpx.Client, load: Load, key: str, body: dict[str, object]
) -> None:
    for _ in range(MAX_ATTEMPTS):
        try:
            answer = client.post("/api/reports", json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError as exc:
            load.note(f"no answer ({exc!r})", key, None)
            return
        if answer.status_code in (200, 201):
            load.note("ok", key, answer)
            return
        if answer.status_code != 503:
            load.note(f"{answer.status_code} {answer.text[:200]}", key, None)
            return
        load.note("refused", key, answer)
        load.restored.wait(WAIT_SECONDS)
    load.note("lost: never written", key, None)


def test_an_outage_under_load_answers_503_and_every_retried_report_is_written_once(
    proxy: CuttableProxy, server: LiveServer, db: Session
) -> None:
    load = Load()
    with ThreadPoolExecutor(PHONES) as phones:
        running = [phones.submit(phone, server.url, load, n) for n in range(PHONES)]
        load.wait_until(lambda: len(load.acknowledged) >= PHONES, "reports before the outage")
        proxy.cut()
        load.wait_until(lambda: len(load.refused) >= PHONES, "every phone to be refused")
        during = [
            httpx.get(f"{server.url}{path}") for path in ("/api/health", "/api/alerts/feed.json")
        ]
        proxy.restore()
        load.restored.set()
        before = len(load.acknowledged)
        load.wait_until(lambda: len(load.acknowledged) >= before + PHONES, "reports after it")
        load.stop.set()
        for finished in running:
            finished.result(WAIT_SECONDS)

    assert load.unexpected == []
    for answer in [*load.refused, *during]:
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"].isdigit()
        assert answer.json()["error"]["code"] == "service_unavailable"
    db.rollback()
    stored = db.scalars(select(Report.id)).all()
    assert sorted(stored) == sorted(load.acknowledged.values())  # none lost, none doubled
