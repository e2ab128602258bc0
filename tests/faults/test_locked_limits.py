"""A rate limit kept in PostgreSQL is taken off the event loop: while one report waits for the
bucket's row (another process holds it), the same process keeps answering everyone else."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.browser.fixtures import LiveServer
from tests.reports.factories import body as report_body
from vecinos.app.factory import create_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import is_sqlite

WAIT_SECONDS = 20.0


def test_a_report_waiting_for_a_locked_bucket_holds_up_nobody_else(
    engine: Engine, settings: Settings, clock: FrozenClock
) -> None:
    if is_sqlite(str(engine.url)):
        pytest.skip("SQLite keeps its buckets in the process: there is no row to wait for")
    plain_http = settings.model_copy(update={"cookie_secure": False})
    with (
        LiveServer(create_app(plain_http, engine=engine, clock=clock)) as server,
        httpx.Client(base_url=server.url, timeout=WAIT_SECONDS) as client,
        ThreadPoolExecutor(1) as phone,
        engine.connect() as other_process,
    ):
        other_process.execute(text("LOCK TABLE rate_buckets IN ACCESS EXCLUSIVE MODE"))
        waiting = phone.submit(client.post, "/api/reports", json=report_body())
        # Once the report is waiting for the lock, PostgreSQL lists it as waiting for it.
        _wait_for_a_lock_waiter(engine)
        assert not waiting.done()
        assert client.get("/api/health", timeout=5).status_code == 200
        other_process.rollback()  # the other process lets go
        assert waiting.result(WAIT_SECONDS).status_code == 201


def _wait_for_a_lock_waiter(engine: Engine) -> None:
    waiters = text(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
        " WHERE c.relname = 'rate_buckets' AND NOT l.granted"
    )
    with engine.connect() as watcher:
        for _ in range(int(WAIT_SECONDS / 0.05)):
            if watcher.execute(waiters).scalar_one():
                return
            watcher.rollback()
            watcher.exec_driver_sql("SELECT pg_sleep(0.05)")  # polling the server's own table
    raise AssertionError("the report never waited for the bucket")
