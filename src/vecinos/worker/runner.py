"""The worker loop: every round, each due job runs in its own transaction, then a pause.

Durable: nothing is kept in memory between rounds. Which jobs are due comes from the
`worker_jobs` table, and which items a job handles comes from database state (offers whose
round has run out, shifts too old, contacts past retention), so a restarted worker carries on
where the last one stopped. Safe side by side: a job's schedule row is claimed with
`SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL) plus a conditional UPDATE whose row count says
who won (both databases), and jobs claim their items the same way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from vecinos.clock import Clock
from vecinos.config import Settings
from vecinos.db import insert_missing, transaction
from vecinos.db.claims import rowcount
from vecinos.worker.models import WorkerJob
from vecinos.worker.registry import Job, load_jobs

log = logging.getLogger("vecinos.worker")
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
SCHEDULE_CHECK = timedelta(minutes=5)


class Worker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        clock: Clock,
        jobs: Sequence[Job] | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self.jobs = list(load_jobs() if jobs is None else jobs)
        self._schedule_checked_at: datetime | None = None

    def tick(self) -> dict[str, int]:
        """One round: run every due job once. Returns what each job that ran handled."""
        self._ensure_schedule()
        done: dict[str, int] = {}
        for job in self.jobs:
            count = self._run(job)
            if count is not None:
                done[job.name] = count
        return done

    def run(self, stop: threading.Event) -> None:
        """Rounds until `stop` is set; a round in progress always finishes its transactions."""
        log.info("worker started: %s", ", ".join(job.name for job in self.jobs))
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # the database may be away for a moment; try again next round
                log.exception("worker round failed")
            stop.wait(self.settings.worker_poll_seconds)
        log.info("worker stopped")

    def _run(self, job: Job) -> int | None:
        try:
            with transaction(self.sessions) as db:
                now = self.clock.now()
                if not claim(db, job, now):
                    return None
                count = job.run(db, now, self.settings)
                db.flush()
                finish(db, job.name, count, now=self.clock.now())
        except Exception as exc:
            log.exception("worker job %s failed", job.name)
            self._record_failure(job, exc)
            return None
        if count:
            log.info("worker job %s handled %d", job.name, count)
        return count

    def _record_failure(self, job: Job, exc: Exception) -> None:
        """Back off until the job's next period, and say what kind of error it was."""
        now = self.clock.now()
        with transaction(self.sessions) as db:
            db.execute(
                update(WorkerJob)
                .where(WorkerJob.name == job.name)
                .values(
                    next_run_at=now + timedelta(seconds=job.every_seconds),
                    last_error=type(exc).__name__[:120],
                )
            )

    def _ensure_schedule(self) -> None:
        """Rows for every job at start, and again now and then: a schedule row that went
        missing (a table restored from an older backup, a hand-made cleanup) would otherwise
        stop its job for good, silently. Not every round: on SQLite each check is a write."""
        now = self.clock.now()
        last = self._schedule_checked_at
        if last is not None and now - last < SCHEDULE_CHECK:
            return
        with transaction(self.sessions) as db:
            ensure_rows(db, [job.name for job in self.jobs])
        self._schedule_checked_at = now


def ensure_rows(db: Session, names: Sequence[str]) -> None:
    """A schedule row per job, due at once; rows that exist keep their schedule."""
    rows = [{"name": name, "next_run_at": EPOCH, "last_count": 0} for name in names]
    insert_missing(db, WorkerJob, rows)


def claim(db: Session, job: Job, now: datetime) -> bool:
    """Take this period's run of `job`; False when it is not due or another worker has it."""
    seen = db.scalar(
        select(WorkerJob.next_run_at)
        .where(WorkerJob.name == job.name, WorkerJob.next_run_at <= now)
        .with_for_update(skip_locked=True)
    )
    if seen is None:
        return False
    won = rowcount(
        db,
        update(WorkerJob)
        .where(WorkerJob.name == job.name, WorkerJob.next_run_at == seen)
        .values(next_run_at=now + timedelta(seconds=job.every_seconds), last_started_at=now)
        .execution_options(synchronize_session=False),
    )
    return won == 1


def finish(db: Session, name: str, count: int, *, now: datetime) -> None:
    db.execute(
        update(WorkerJob)
        .where(WorkerJob.name == name)
        .values(last_finished_at=now, last_count=count, last_error=None)
        .execution_options(synchronize_session=False)
    )
