"""The intake writer process: reports written beside the web process, answered in it."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from itertools import pairwise
from typing import TypeVar

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.events_helpers import Heard
from tests.reports.factories import (
    EASTSIDE_PIN,
    NEAR_EASTSIDE,
    NOBODYS_PIN,
    body,
    counts,
    draft,
    run_apart,
)
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.errors import InvalidInput, NotFound
from vecinos.events import Topic
from vecinos.incidents import timeline
from vecinos.reports import intake
from vecinos.reports.writer import MAX_BATCH, BatchWriter, IntakeWriter
from vecinos.reports.writer_process import WriterLost, WriterProcess, _Shutdown, _transactions
from vecinos.web.app import create_app
from vecinos.web.serve import served

T = TypeVar("T")
Answer = intake.Stored | BaseException


@asynccontextmanager
async def writer_process(
    sessions: sessionmaker[Session], settings: Settings
) -> AsyncIterator[tuple[IntakeWriter, WriterProcess]]:
    backend = await WriterProcess.start(settings, BatchWriter(sessions, settings))
    writer = IntakeWriter(backend)
    try:
        yield writer, backend
    finally:
        await writer.close()


def with_writer_process(
    sessions: sessionmaker[Session],
    settings: Settings,
    scenario: Callable[[IntakeWriter, WriterProcess], Awaitable[T]],
) -> tuple[T, WriterProcess]:
    """Run `scenario` against a writer process on one event loop, then stop the process."""

    async def run() -> tuple[T, WriterProcess]:
        async with writer_process(sessions, settings) as (writer, backend):
            return await scenario(writer, backend), backend

    return run_apart(run())


def signal_writer(backend: WriterProcess, sent: signal.Signals) -> None:
    pid = backend.process.pid
    assert pid is not None  # started
    os.kill(pid, sent)


async def together(
    writer: IntakeWriter, drafts: list[intake.Draft], clock: FrozenClock
) -> list[Answer]:
    now = clock.now()
    return await asyncio.gather(
        *(writer.submit(d, now=now) for d in drafts), return_exceptions=True
    )


def test_the_writer_process_writes_each_report_and_boards_hear_of_them(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    db: Session,
    heard: Heard,
) -> None:
    now = clock.now()
    no_zone = draft(settings, now, None, location={"zone_id": 999_999})
    too_old = draft(settings, now, observed_at=now.replace(year=now.year - 1).isoformat())
    keyed = draft(settings, now, NEAR_EASTSIDE, key="key-of-a-retry-01")
    drafts = [
        draft(settings, now),
        keyed,
        no_zone,
        too_old,
        keyed,
        draft(settings, now, NOBODYS_PIN),
    ]

    async def scenario(writer: IntakeWriter, _: WriterProcess) -> list[Answer]:
        return await together(writer, drafts, clock)

    answers, backend = with_writer_process(sessions, settings, scenario)
    assert backend.process.exitcode == 0 and not backend.lost
    first, retried, missing_zone, old, again, elsewhere = answers
    assert isinstance(first, intake.Stored) and isinstance(retried, intake.Stored)
    assert isinstance(again, intake.Stored) and isinstance(elsewhere, intake.Stored)
    # Refusals cross the process boundary as themselves, code and all.
    assert isinstance(missing_zone, NotFound) and missing_zone.code == "zone_not_found"
    assert isinstance(old, InvalidInput) and old.code == "observed_too_old"
    assert (again.report_id, again.created) == (retried.report_id, False)
    assert first.incident_id == retried.incident_id != elsewhere.incident_id
    assert counts(db) == (3, 2, 3)
    assert timeline.verify_incident(db, first.incident_id) is None
    # Heard in this (the web) process, once the writer process committed.
    assert heard.wait_until(lambda: len(heard.payloads(Topic.INCIDENTS)) >= 3)
    changes = heard.payloads(Topic.INCIDENTS)
    assert sorted((c["kind"], c["report_count"]) for c in changes) == [
        ("opened", 1),
        ("opened", 1),
        ("report_added", 2),
    ]


def test_batches_that_arrive_while_the_process_writes_share_its_next_transaction(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, db: Session
) -> None:
    now = clock.now()

    async def scenario(writer: IntakeWriter, backend: WriterProcess) -> list[Answer]:
        await together(writer, [draft(settings, now)], clock)  # up and running
        before = writer.batches
        signal_writer(backend, signal.SIGSTOP)  # busy, as far as the web process can tell
        try:
            pending = []
            for pin in (EASTSIDE_PIN, NEAR_EASTSIDE, NOBODYS_PIN):
                pending.append(
                    asyncio.ensure_future(writer.submit(draft(settings, now, pin), now=now))
                )
                await asyncio.sleep(0.05)  # each goes out as a batch of its own
        finally:
            signal_writer(backend, signal.SIGCONT)
        answers: list[Answer] = await asyncio.gather(*pending, return_exceptions=True)
        assert writer.batches - before == 1  # three batches, one transaction
        return answers

    answers, _ = with_writer_process(sessions, settings, scenario)
    assert all(isinstance(a, intake.Stored) and a.created for a in answers)
    assert counts(db) == (4, 2, 4)


def test_a_database_error_in_the_writer_process_comes_back_and_spares_the_others(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, db: Session
) -> None:
    now = clock.now()
    broken = draft(settings, now, NOBODYS_PIN, entered_by_id=987_654)  # no such member
    drafts = [draft(settings, now), broken, draft(settings, now, NEAR_EASTSIDE)]

    async def scenario(writer: IntakeWriter, _: WriterProcess) -> list[Answer]:
        return await together(writer, drafts, clock)

    answers, backend = with_writer_process(sessions, settings, scenario)
    assert isinstance(answers[0], intake.Stored) and isinstance(answers[2], intake.Stored)
    assert isinstance(answers[1], Exception) and "FOREIGN KEY" in str(answers[1]).upper()
    assert counts(db) == (2, 1, 2)
    assert not backend.lost


def test_when_the_writer_process_dies_its_batch_is_answered_send_again_and_intake_goes_on(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, db: Session
) -> None:
    now = clock.now()

    async def scenario(writer: IntakeWriter, backend: WriterProcess) -> list[Answer]:
        answers = await together(writer, [draft(settings, now)], clock)
        signal_writer(backend, signal.SIGSTOP)  # the next batch waits in the socket
        in_flight = asyncio.ensure_future(writer.submit(draft(settings, now, NOBODYS_PIN), now=now))
        await asyncio.sleep(0.1)
        signal_writer(backend, signal.SIGKILL)
        answers += await asyncio.gather(in_flight, return_exceptions=True)
        answers += await together(writer, [draft(settings, now, NEAR_EASTSIDE)], clock)
        return answers

    (before, lost, after), backend = with_writer_process(sessions, settings, scenario)
    assert backend.lost and backend.process.exitcode == -signal.SIGKILL
    assert isinstance(before, intake.Stored) and isinstance(after, intake.Stored)
    assert isinstance(lost, WriterLost) and lost.status_code == 503
    assert lost.code == "intake_interrupted" and lost.headers["Retry-After"] == "5"
    # The killed batch never reached the database; the next was written by the web process.
    assert after.incident_id == before.incident_id
    assert counts(db) == (2, 1, 2)


def test_a_writer_process_that_cannot_start_leaves_intake_to_the_web_process(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    db: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Only the writer process reads the URL; the web process's sessions, which work, stay.
    unusable = settings.model_copy(update={"database_url": "nosuchdatabase://nowhere"})

    async def scenario(writer: IntakeWriter, _: WriterProcess) -> list[Answer]:
        return await together(writer, [draft(settings, clock.now())], clock)

    (answer,), backend = with_writer_process(sessions, unusable, scenario)
    assert backend.lost and backend.process.exitcode not in (None, 0)
    assert isinstance(answer, intake.Stored) and answer.created
    assert counts(db) == (1, 1, 1)
    assert "intake writer process stopped" in caplog.text


def test_sigterm_stops_the_writer_process_between_batches(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, db: Session
) -> None:
    now = clock.now()

    async def scenario(writer: IntakeWriter, backend: WriterProcess) -> list[Answer]:
        answers = await together(writer, [draft(settings, now)], clock)
        signal_writer(backend, signal.SIGTERM)
        await asyncio.get_running_loop().run_in_executor(None, backend.process.join, 10)
        return answers + await together(writer, [draft(settings, now, NOBODYS_PIN)], clock)

    answers, backend = with_writer_process(sessions, settings, scenario)
    assert backend.process.exitcode == 0 and backend.lost
    assert all(isinstance(a, intake.Stored) for a in answers)
    assert counts(db) == (2, 2, 2)


def test_sigterm_while_writing_waits_for_the_transaction() -> None:
    previous = signal.getsignal(signal.SIGTERM)
    try:
        shutdown = _Shutdown()
        shutdown.writing = True
        os.kill(os.getpid(), signal.SIGTERM)  # handled at once, in this (the main) thread
        assert shutdown.asked  # noted, and nothing raised mid-transaction
        shutdown.writing = False
        with pytest.raises(SystemExit):
            os.kill(os.getpid(), signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_serve_writes_reports_in_a_writer_process_that_stops_with_the_app(
    settings: Settings, engine: Engine, clock: FrozenClock, db: Session
) -> None:
    without_worker = settings.model_copy(update={"worker_in_process": False})
    app = served(create_app(without_worker, engine=engine, clock=clock))
    with TestClient(app, base_url="https://testserver") as client:
        answer = client.post("/api/reports", json=body())
        backend = app.state.intake_writer.backend
        assert isinstance(backend, WriterProcess) and backend.process.is_alive()
    assert answer.status_code == 201 and answer.json()["status"] == "reported"
    assert backend.process.exitcode == 0
    assert counts(db) == (1, 1, 1)


def test_serve_can_write_reports_in_its_own_thread(
    settings: Settings, engine: Engine, clock: FrozenClock
) -> None:
    off = settings.model_copy(update={"worker_in_process": False, "intake_writer_process": False})
    app = served(create_app(off, engine=engine, clock=clock))
    with TestClient(app, base_url="https://testserver") as client:
        assert client.post("/api/reports", json=body()).status_code == 201
        assert not isinstance(app.state.intake_writer.backend, WriterProcess)


@given(st.lists(st.integers(min_value=1, max_value=MAX_BATCH), max_size=40))
def test_batches_that_arrived_together_make_few_transactions_of_bounded_size(
    sizes: list[int],
) -> None:
    refused = intake.Draft(None, InvalidInput("Refused."))  # any draft will do here
    arrived = [[(refused, datetime(2026, 1, 1, tzinfo=UTC))] * size for size in sizes]
    groups = [[len(batch) for batch in group] for group in _transactions(arrived)]
    assert [size for group in groups for size in group] == sizes  # all of them, in order
    assert all(sum(group) <= MAX_BATCH for group in groups)
    # Never split where the next batch would still have fitted.
    assert all(sum(a) + b[0] > MAX_BATCH for a, b in pairwise(groups))
