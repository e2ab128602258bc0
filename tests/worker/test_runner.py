"""The worker itself: its job list, its durable schedule, failures, signals, serve's thread."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.conftest import TEST_SECRET
from tests.dispatch.factories import north, on_shift
from vecinos.app.factory import create_app
from vecinos.app.serve import served
from vecinos.config import Settings
from vecinos.db import is_sqlite, make_engine, transaction
from vecinos.dispatch.models import Shift, ShiftLocation
from vecinos.geo import postal
from vecinos.geo.postal import ZipCode
from vecinos.migrations import upgrade
from vecinos.worker.models import WorkerJob
from vecinos.worker.registry import BUILTIN_JOBS, Job, JobSpec, load_jobs
from vecinos.worker.runner import Worker


def test_every_builtin_job_resolves() -> None:
    jobs = load_jobs()
    assert [job.name for job in jobs] == [spec.name for spec in BUILTIN_JOBS]
    assert {"dispatch.escalate", "incidents.expire_stale", "reports.purge_contacts"} <= {
        job.name for job in jobs
    }


def test_a_job_that_cannot_be_imported_is_left_out_loudly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    specs = [*BUILTIN_JOBS[:1], JobSpec("ghost", "vecinos.nowhere:nothing", 1)]
    assert [job.name for job in load_jobs(specs)] == ["dispatch.escalate"]
    assert "ghost" in caplog.text


def counting_job(calls: list[datetime]) -> Job:
    def run(db: Session, now: datetime, settings: Settings) -> int:
        calls.append(now)
        return 1

    return Job("test.count", run, every_seconds=60)


def test_the_schedule_lives_in_the_database(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast, db: Session
) -> None:
    calls: list[datetime] = []
    job = counting_job(calls)
    Worker(sessions, settings, cast.clock, [job]).tick()
    cast.clock.advance(seconds=30)
    assert Worker(sessions, settings, cast.clock, [job]).tick() == {}  # a restart: not yet due
    cast.clock.advance(seconds=30)
    assert Worker(sessions, settings, cast.clock, [job]).tick() == {"test.count": 1}
    assert len(calls) == 2
    row = db.get(WorkerJob, "test.count")
    assert row is not None
    assert row.last_count == 1
    assert row.last_finished_at == cast.clock.now()


def test_a_lost_schedule_row_is_written_again(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    calls: list[datetime] = []
    worker = Worker(sessions, settings, cast.clock, [counting_job(calls)])
    worker.tick()
    with transaction(sessions) as db:
        db.execute(delete(WorkerJob))  # say, a table restored from an older backup
    cast.clock.advance(minutes=5)
    assert worker.tick() == {"test.count": 1}
    assert len(calls) == 2


def test_a_failing_job_does_not_stop_the_others(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast, db: Session
) -> None:
    def broken(db: Session, now: datetime, settings: Settings) -> int:
        db.add(WorkerJob(name="half-done", next_run_at=now, last_count=0))
        db.flush()
        raise RuntimeError("contact +1 555 0100 could leak into a message")

    calls: list[datetime] = []
    worker = Worker(
        sessions, settings, cast.clock, [Job("test.broken", broken, 60), counting_job(calls)]
    )
    assert worker.tick() == {"test.count": 1}
    assert db.get(WorkerJob, "half-done") is None  # its transaction was rolled back
    row = db.get(WorkerJob, "test.broken")
    assert row is not None
    assert row.last_error == "RuntimeError"  # the type only, never the message
    assert worker.tick() == {}  # backed off until its next period


def test_forgotten_shifts_are_closed_and_their_locations_deleted(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast, db: Session
) -> None:
    shift_id = on_shift(sessions, cast, cast.rosa, north(100))
    jobs = [job for job in load_jobs() if job.name == "dispatch.close_stale_shifts"]
    cast.clock.advance(hours=settings.dispatch_shift_max_hours - 1)
    assert Worker(sessions, settings, cast.clock, jobs).tick() == {"dispatch.close_stale_shifts": 0}
    cast.clock.advance(hours=1, minutes=1)
    assert Worker(sessions, settings, cast.clock, jobs).tick() == {"dispatch.close_stale_shifts": 1}
    shift = db.get(Shift, shift_id)
    assert shift is not None
    assert shift.ended_at is not None
    assert shift.lat is None
    remaining = select(func.count()).select_from(ShiftLocation)
    assert db.scalar(remaining) == 0


def test_serve_runs_the_background_work_for_the_lifetime_of_the_app(
    settings: Settings, engine: Engine, cast: Cast
) -> None:
    quick = settings.model_copy(
        update={"worker_poll_seconds": 0.05, "intake_writer_process": False}
    )
    app = served(create_app(quick, engine=engine, clock=cast.clock))
    with TestClient(app, base_url="https://testserver") as client:
        assert client.get("/api/health").status_code == 200
        threads = app.state.background._threads
        assert all(thread.is_alive() for thread in threads)  # periodic jobs, delivery engine
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _scheduled(app):
            time.sleep(0.05)
        assert _scheduled(app)  # it ran its jobs against the app's database
    assert not any(thread.is_alive() for thread in threads)


def _scheduled(app: FastAPI) -> bool:
    with transaction(app.state.context.sessions) as db:
        return db.scalar(select(func.count()).select_from(WorkerJob)) == len(BUILTIN_JOBS)


def test_serve_can_leave_the_worker_to_separate_processes(
    settings: Settings, engine: Engine
) -> None:
    off = settings.model_copy(update={"worker_in_process": False, "intake_writer_process": False})
    app = served(create_app(off, engine=engine))
    with TestClient(app, base_url="https://testserver"):
        assert not hasattr(app.state, "background")


def test_the_worker_command_exits_cleanly_on_sigterm(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    if is_sqlite(database_url):
        # Its own SQLite file: a second process closing the shared test database could take
        # it for the last connection and delete the WAL under this process (POSIX locks are
        # dropped when any test merely reads the file).
        database_url = f"sqlite:///{tmp_path / 'worker.db'}"
        own = make_engine(database_url)
        upgrade(own)
        own.dispose()
    environment = {
        **os.environ,
        "VECINOS_DATABASE_URL": database_url,
        "VECINOS_DATA_DIR": str(tmp_path),
        "VECINOS_SECRET_KEY": TEST_SECRET,
        "VECINOS_WORKER_POLL_SECONDS": "0.1",
    }
    command = [sys.executable, "-c", "from vecinos.cli import main; main()", "worker"]
    with subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, env=environment, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stderr is not None
            started = process.stderr.readline()
            assert "worker started" in started, started
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
            assert "SIGTERM received" in process.stderr.read()
        finally:
            if process.poll() is None:
                process.kill()


def test_the_served_app_leaves_its_start_up_objects_out_of_full_collections(
    settings: Settings, engine: Engine, zip_codes_unloaded: None
) -> None:
    import gc

    from vecinos.app.serve import settled

    gc.unfreeze()
    try:
        app = settled(create_app(settings, engine=engine))
        assert gc.get_freeze_count() > 0
        assert not any(o is app.router for o in gc.get_objects(generation=2))  # frozen
        # The ZIP codes load beside the serving app (its lifespan waits for that at its end);
        # once in, they are frozen too.
        with TestClient(app):
            pass
        assert postal.by_code("90033") is not None
        assert not any(isinstance(o, ZipCode) for o in gc.get_objects())
    finally:
        gc.unfreeze()
