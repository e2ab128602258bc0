"""Group commit: reports submitted together share a transaction, and each keeps its own fate."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests.events_helpers import Heard
from tests.reports.factories import (
    EASTSIDE_PIN,
    NEAR_EASTSIDE,
    NOBODYS_PIN,
    OUTSIDE_PIN,
    body,
    counts,
    device,
    draft,
    run_apart,
)
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import is_sqlite
from vecinos.errors import InvalidInput, NotFound
from vecinos.events import Topic
from vecinos.incidents import timeline
from vecinos.incidents.models import Incident
from vecinos.reports import intake
from vecinos.reports.models import Report
from vecinos.reports.writer import BatchWriter, IntakeWriter, Job


def submit_together(
    writer: IntakeWriter, drafts: list[intake.Draft], now: datetime
) -> list[intake.Stored | BaseException]:
    """All at once, as concurrent requests would: each waits for its own answer."""

    async def together() -> list[intake.Stored | BaseException]:
        answers = [writer.submit(d, now=now) for d in drafts]
        return await asyncio.gather(*answers, return_exceptions=True)

    return run_apart(together())


def test_reports_sent_together_share_one_transaction(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, db: Session
) -> None:
    writer = IntakeWriter.in_thread(sessions, settings)
    now = clock.now()
    pins = [EASTSIDE_PIN, NEAR_EASTSIDE, NOBODYS_PIN, EASTSIDE_PIN]
    answers = submit_together(writer, [draft(settings, now, pin) for pin in pins], now)
    assert writer.batches == 1
    stored = [a for a in answers if isinstance(a, intake.Stored)]
    assert len(stored) == 4 and all(s.created for s in stored)
    assert len({s.report_id for s in stored}) == 4
    east = {s.incident_id for s in stored if s is not stored[2]}
    assert len(east) == 1 and stored[2].incident_id not in east
    assert counts(db) == (4, 2, 4)
    incident = db.get(Incident, stored[0].incident_id)
    assert incident is not None and (incident.report_count, incident.source_count) == (3, 3)
    for incident_id in (stored[0].incident_id, stored[2].incident_id):
        assert timeline.verify_incident(db, incident_id) is None
    kinds = [e.kind for e in timeline.events_of(db, stored[0].incident_id)]
    assert kinds == ["opened", "report_added", "report_added"]


def test_a_refused_report_leaves_the_others_and_nothing_of_itself(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, db: Session
) -> None:
    writer = IntakeWriter.in_thread(sessions, settings)
    now = clock.now()
    no_zone = draft(settings, now, None, location={"zone_id": 999_999})
    too_old = draft(settings, now, observed_at=(now.replace(year=now.year - 1)).isoformat())
    drafts = [draft(settings, now), no_zone, too_old, draft(settings, now, NOBODYS_PIN)]
    answers = submit_together(writer, drafts, now)
    assert writer.batches == 1
    assert isinstance(answers[0], intake.Stored) and isinstance(answers[3], intake.Stored)
    assert isinstance(answers[1], NotFound) and answers[1].code == "zone_not_found"
    assert isinstance(answers[2], InvalidInput) and answers[2].code == "observed_too_old"
    assert counts(db) == (2, 2, 2)


@pytest.mark.parametrize("made", ["in_thread", "for_database"])
def test_a_failing_write_is_rolled_back_and_the_others_are_written_alone(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, db: Session, made: str
) -> None:
    """A report the database itself refuses (here: entered by a member who does not exist)
    sinks the shared transaction; the others are written again, one by one (by the writer
    thread, when the event loop tried the batch first)."""
    writer = getattr(IntakeWriter, made)(sessions, settings)
    now = clock.now()
    broken = draft(settings, now, NOBODYS_PIN, entered_by_id=987_654)
    drafts = [draft(settings, now), broken, draft(settings, now, NEAR_EASTSIDE)]
    answers = submit_together(writer, drafts, now)
    assert isinstance(answers[1], IntegrityError)
    first, third = answers[0], answers[2]
    assert isinstance(first, intake.Stored) and isinstance(third, intake.Stored)
    assert first.incident_id == third.incident_id
    assert writer.batches == 2  # the shared one failed; the two good reports alone
    # Nothing of the broken report: not even the incident it opened before its row failed.
    assert counts(db) == (2, 1, 2)
    assert timeline.verify_incident(db, first.incident_id) is None


def test_retries_of_one_key_in_one_batch_make_one_report(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, db: Session
) -> None:
    writer = IntakeWriter.in_thread(sessions, settings)
    now = clock.now()
    same = draft(settings, now, key="key-of-a-retry-01")
    answers = submit_together(writer, [same, same, draft(settings, now, key="another-key-02")], now)
    assert writer.batches == 1
    assert all(isinstance(a, intake.Stored) for a in answers)
    first, again, other = answers
    assert isinstance(first, intake.Stored) and isinstance(again, intake.Stored)
    assert isinstance(other, intake.Stored)
    assert (first.created, again.created, other.created) == (True, False, True)
    assert again.report_id == first.report_id != other.report_id
    assert counts(db) == (2, 1, 2)
    later = submit_together(writer, [same], now)[0]  # a retry in a later batch too
    assert isinstance(later, intake.Stored) and later.report_id == first.report_id
    assert db.scalars(select(Report.id)).all() == sorted([first.report_id, other.report_id])


def test_a_retry_of_a_stored_key_is_answered_even_if_it_would_now_be_refused(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock
) -> None:
    writer = IntakeWriter.in_thread(sessions, settings)
    now = clock.now()
    seen, phone = now.isoformat(), device()  # a retry is the same report from the same phone
    first = submit_together(
        writer,
        [draft(settings, now, key="old-key-0001", observed_at=seen, device_token=phone)],
        now,
    )
    much_later = clock.advance(hours=settings.report_max_age_hours + 1)
    retry = draft(settings, much_later, key="old-key-0001", observed_at=seen, device_token=phone)
    assert isinstance(retry.checked, InvalidInput)  # too old by now, on its own
    again = submit_together(writer, [retry], much_later)[0]
    assert isinstance(first[0], intake.Stored) and isinstance(again, intake.Stored)
    assert again.report_id == first[0].report_id and not again.created


def test_boards_hear_of_every_report_once_the_batch_commits(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, heard: Heard
) -> None:
    writer = IntakeWriter.in_thread(sessions, settings)
    now = clock.now()

    async def submit() -> None:
        drafts = [draft(settings, now), draft(settings, now, NEAR_EASTSIDE)]
        await asyncio.gather(*(writer.submit(d, now=now) for d in drafts))

    run_apart(submit())
    assert heard.wait_until(lambda: len(heard.payloads(Topic.INCIDENTS)) >= 2)
    changes = heard.payloads(Topic.INCIDENTS)
    assert [(c["kind"], c["report_count"], c["source_count"]) for c in changes] == [
        ("opened", 1, 1),
        ("report_added", 2, 2),
    ]
    assert changes[0]["incident_id"] == changes[1]["incident_id"]


def test_the_route_answers_through_the_writer(client: TestClient, app: FastAPI) -> None:
    assert client.post("/api/reports", json=body()).status_code == 201
    assert client.post("/api/reports", json=body(OUTSIDE_PIN)).status_code == 422
    writer = app.state.intake_writer
    assert isinstance(writer, IntakeWriter) and writer.batches == 1  # the refusal never queued


def test_two_processes_batches_over_the_same_places_queue_instead_of_deadlocking(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock
) -> None:
    # Two processes' intake writers on PostgreSQL: each batch names the same two places, in
    # the opposite order. Locking each report's area as it was written let each batch hold
    # one place while waiting for the other's; PostgreSQL then failed one of them.
    if settings.effective_database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one writing transaction at a time")
    now = clock.now()
    writers = [BatchWriter(sessions, settings), BatchWriter(sessions, settings)]
    for _ in range(5):
        batches = [
            [Job(draft(settings, now, pin), now) for pin in (EASTSIDE_PIN, NOBODYS_PIN)],
            [Job(draft(settings, now, pin), now) for pin in (NOBODYS_PIN, EASTSIDE_PIN)],
        ]
        with ThreadPoolExecutor(2) as pool:
            committed = list(pool.map(BatchWriter.write, writers, batches))
        assert committed == [1, 1], "a batch failed and was written again report by report"
        assert all(isinstance(job.outcome, intake.Stored) for batch in batches for job in batch)


@pytest.fixture
def on_loop(
    sessions: sessionmaker[Session], settings: Settings, engine: Engine
) -> tuple[IntakeWriter, list[str]]:
    """The app's writer on SQLite, and the names of the threads that insert reports from now
    on (filled as they do)."""
    if not is_sqlite(settings.effective_database_url):
        pytest.skip("PostgreSQL's batches wait on the network: the writer thread writes them")
    names: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.startswith("INSERT INTO reports"):
            names.append(threading.current_thread().name)

    return IntakeWriter.for_database(sessions, settings), names


def test_on_sqlite_the_event_loop_writes_a_batch_itself_when_the_lock_is_free(
    on_loop: tuple[IntakeWriter, list[str]], settings: Settings, clock: FrozenClock
) -> None:
    # From the writer thread each of the batch's sqlite3 calls waited for the GIL behind a
    # busy event loop: 40-60 ms a batch beside 2,000 feed reads a second instead of 3.
    writer, threads = on_loop
    now = clock.now()

    async def together() -> tuple[str, list[intake.Stored | BaseException]]:
        drafts = [draft(settings, now), draft(settings, now, NOBODYS_PIN)]
        answers = await asyncio.gather(*(writer.submit(d, now=now) for d in drafts))
        return threading.current_thread().name, list(answers)

    loop_thread, answers = run_apart(together())
    assert all(isinstance(a, intake.Stored) and a.created for a in answers)
    assert threads == [loop_thread, loop_thread] and writer.batches == 1


def test_on_sqlite_the_event_loop_never_waits_for_another_writer(
    on_loop: tuple[IntakeWriter, list[str]],
    settings: Settings,
    clock: FrozenClock,
    engine: Engine,
    db: Session,
) -> None:
    writer, threads = on_loop
    now = clock.now()
    loop_free = threading.Event()

    async def while_another_writes() -> intake.Stored:
        written = asyncio.ensure_future(writer.submit(draft(settings, now), now=now))
        # The loop goes on (this wait ends) while the report waits for the lock elsewhere.
        done, _ = await asyncio.wait({written}, timeout=0.3)
        assert not done
        loop_free.set()
        return await written

    with ThreadPoolExecutor(1) as apart, engine.begin():  # another writer holds the lock
        answer = apart.submit(run_apart, while_another_writes())
        assert loop_free.wait(5), "the event loop stopped, waiting for the write lock"
    stored = answer.result(timeout=30)
    assert stored.created and threads == ["intake-writer_0"]
    assert counts(db)[0] == 1
