"""Done when (issue 14): a deployment of two `vecinos serve` and two `vecinos worker` processes
on one PostgreSQL database behaves as one. A report filed through one web process appears on a
dispatcher board streamed from the other; an alert a worker publishes reaches the alerts
stream of both; a public write's rate limit holds for both together.

Real processes (`VECINOS_WORKER_IN_PROCESS=false`), started once for this module; they are
stopped in teardown whatever happens, and their logs are printed when a test fails.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from math import floor
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import alerts, deliveries, incident, north, subscriber
from tests.cast import Cast
from tests.conftest import TEST_SECRET
from tests.deploy.processes import (
    Process,
    Served,
    SseReader,
    Worker,
    environment_for,
)
from tests.reports.factories import EASTSIDE_PIN, add_zones, device
from tests.reports.factories import body as report_body
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import is_sqlite, transaction
from vecinos.reports.models import Report
from vecinos.worker.registry import BUILTIN_JOBS
from vecinos.worker.runner import ensure_rows

log = logging.getLogger(__name__)
PER_SOURCE = 4  # reports one device may send a minute, in this deployment


@dataclass
class Deployment:
    a: Served
    b: Served
    workers: list[Worker]
    processes: list[Process]
    data_dir: Path


@pytest.fixture(scope="module")
def deployment(
    database_url: str, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    if is_sqlite(database_url):
        pytest.skip(
            "one process serves a SQLite deployment; set VECINOS_TEST_DATABASE_URL to a"
            " PostgreSQL database to run the multi-process deployment"
        )
    shared = tmp_path_factory.mktemp("deployment")
    environment = environment_for(
        database_url,
        shared,
        secret_key=TEST_SECRET,
        alert_hold_seconds="0",  # confirmed incidents alert at the workers' next round
        intake_per_source_per_minute=str(PER_SOURCE),
    )
    processes: list[Process] = []
    try:
        a, b = (Served(name, environment, shared) for name in ("web-a", "web-b"))
        processes += [a, b]
        workers = [Worker(name, environment, shared) for name in ("worker-1", "worker-2")]
        processes += workers
        for web in (a, b):
            web.wait_for(web.healthy, "for its health check")
        for worker in workers:
            worker.wait_for(worker.started, "to say it started")
        yield Deployment(a, b, workers, processes, shared)
    finally:
        for process in processes:
            process.stop()


@pytest.fixture(autouse=True)
def _logs_of_a_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and "deployment" in request.fixturenames:
        for process in request.getfixturevalue("deployment").processes:
            log.warning("---- %s\n%s", process.name, process.output()[-4000:])


@pytest.fixture(autouse=True)
def _schedule(deployment: Deployment, sessions: sessionmaker[Session]) -> None:
    """The workers' job schedule, as they wrote it at start-up: the suite empties every table
    after each test, and a deployment's tables are never emptied under it."""
    with transaction(sessions) as db:
        ensure_rows(db, [job.name for job in BUILTIN_JOBS])


@pytest.fixture
def settings(settings: Settings, deployment: Deployment) -> Settings:
    """The test's own writes (a subscriber's sealed contact) use the deployment's keyring."""
    return settings.model_copy(update={"data_dir": deployment.data_dir})


@pytest.fixture
def clock() -> FrozenClock:
    """Now, for real: the processes run on the system clock (sessions, TOTP, alert ages)."""
    return FrozenClock(datetime.now(UTC))


def wait_until(
    condition: Callable[[], bool], what: str, state: Callable[[], object], seconds: float = 20.0
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}: {state()}"
        time.sleep(0.05)  # polling for a row, not ordering anything


def test_a_report_filed_through_one_process_reaches_a_board_streamed_from_the_other(
    deployment: Deployment, cast: Cast, sessions: sessionmaker[Session], db: Session
) -> None:
    add_zones(sessions, cast)
    with deployment.b.client() as board, deployment.a.client() as public:
        cast.sign_in(board, cast.dario)
        with SseReader(board, "/api/incidents/stream") as stream:
            filed = public.post("/api/reports", json=report_body(EASTSIDE_PIN))
            assert filed.status_code == 201, filed.text
            heard = stream.wait_for(
                lambda e: e.event == "incident" and e.json()["kind"] == "opened",
                "the new incident on process B's board",
            )
    report = db.get(Report, filed.json()["report_id"])
    assert report is not None and report.incident_id is not None
    change = heard.json()
    assert change["incident_id"] == report.incident_id
    assert change["organization_id"] == cast.eastside
    assert change["report_count"] == 1


def test_an_alert_a_worker_publishes_reaches_the_alerts_streams_of_both_processes(
    deployment: Deployment,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    db: Session,
) -> None:
    resident = subscriber(sessions, settings, cast.clock, north(100))
    with (
        deployment.a.client() as on_a,
        deployment.b.client() as on_b,
        SseReader(on_a, "/api/alerts/stream", {"Accept-Language": "es"}) as stream_a,
        SseReader(on_b, "/api/alerts/stream", {"Accept-Language": "en"}) as stream_b,
    ):
        # Confirmed now, written by this test's process: no web process knows of it, and
        # only a worker's automatic publishing can turn it into an alert.
        confirmed = incident(sessions, cast)
        heard_a = stream_a.wait_for(lambda e: e.event == "alert", "the alert on process A")
        heard_b = stream_b.wait_for(lambda e: e.event == "alert", "the alert on process B")
    (alert,) = [a for a in alerts(db) if a.incident_id == confirmed]  # two workers, one alert
    assert alert.automatic
    assert heard_a.json()["id"] == heard_b.json()["id"] == alert.id
    assert heard_a.json()["language"] == "es"
    assert heard_b.json()["language"] == "en"

    def sent() -> bool:
        rows = deliveries(db, alert.id)
        return bool(rows) and all(d.status == "delivered" for d in rows)

    def outcomes() -> list[tuple[str, str | None]]:
        return [(d.status, d.last_error) for d in deliveries(db, alert.id)]

    wait_until(sent, "a worker to deliver the alert", outcomes)
    assert [d.subscription_id for d in deliveries(db, alert.id)] == [resident]


def test_a_public_write_limit_holds_across_both_processes(deployment: Deployment) -> None:
    """One device, reports sent through A and B in turn: together they accept what one
    device may send, not that much from each."""
    sender, answers = device(), []
    started = time.monotonic()
    with deployment.a.client() as on_a, deployment.b.client() as on_b:
        for n in range(3 * PER_SOURCE):
            web = (on_a, on_b)[n % 2]
            answer = web.post(
                "/api/reports",
                json=report_body(EASTSIDE_PIN, device_token=sender),
                headers={"Idempotency-Key": f"limit-{sender}-{n}"},
            )
            answers.append((n % 2, answer.status_code))
    refilled = floor((time.monotonic() - started) * PER_SOURCE / 60)
    accepted = [web for web, status in answers if status == 201]
    assert {status for _, status in answers} == {201, 429}
    assert PER_SOURCE <= len(accepted) <= PER_SOURCE + refilled
    assert set(accepted) == {0, 1}  # both processes took their share
