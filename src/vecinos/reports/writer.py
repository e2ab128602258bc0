"""Group commit for public intake: reports arriving together are written in one transaction.

SQLite takes one writer at a time, and a transaction per report spends most of its time on
BEGIN, COMMIT and queueing threads for the write lock. Here the request handlers, on the event
loop, hand their prepared reports to the app's one `IntakeWriter`; whatever has gathered while
the previous batch was being written goes next, in one thread and one transaction, and each
handler gets its own answer (or its own refusal) back. Nothing waits on a timer: a lone report
is written at once, and a crowd of them shares the cost.

Every guarantee of `intake.store` holds per report: a refusal is raised by `intake.check`,
which only reads, so a refused report writes nothing and does not disturb the others; a retried
idempotency key finds the report written earlier, even earlier in the same batch. If writing
itself fails (the database is away, a PostgreSQL deadlock between two processes' batches), the
batch is rolled back and its reports are written again one transaction each, so a failure
lands on the report that caused it. Boards hear of the reports when the transaction commits.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from vecinos.config import Settings
from vecinos.errors import AppError
from vecinos.reports import intake, sources

log = logging.getLogger(__name__)

MAX_BATCH = 200  # reports in one transaction; more wait for the next one
# One thread writes every batch of the process, one batch at a time (a writer waits for its
# previous batch anyway). While it waits on the database (sqlite3 and psycopg let go of the GIL
# then), the event loop goes on reading and checking the next requests.
_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-writer")


@dataclass
class _Job:
    draft: intake.Draft
    now: datetime
    answer: asyncio.Future[intake.Stored]
    outcome: intake.Stored | BaseException | None = field(default=None)


class IntakeWriter:
    """One per app. `submit` may be called from many requests at once on the event loop."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self._waiting: list[_Job] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches = 0  # transactions committed, for tests and curiosity

    async def submit(self, draft: intake.Draft, *, now: datetime) -> intake.Stored:
        """Store the report with whatever else is waiting; its result, or its refusal raised."""
        answer: asyncio.Future[intake.Stored] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Job(draft, now, answer))
        if not self._flushing(answer.get_loop()):
            self._flusher = asyncio.create_task(self._flush())
        return await answer

    def _flushing(self, loop: asyncio.AbstractEventLoop) -> bool:
        # A test client may run each request in a loop of its own: a flusher of another is gone.
        flusher = self._flusher
        return flusher is not None and not flusher.done() and flusher.get_loop() is loop

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                await asyncio.get_running_loop().run_in_executor(_THREAD, self.write, batch)
            except BaseException as exc:  # cancelled with the loop, or a bug: nobody hangs
                for job in batch:
                    job.outcome = job.outcome or exc
                raise
            finally:
                for job in batch:
                    _answer(job)

    def write(self, batch: list[_Job]) -> None:
        """In a worker thread: the batch in one transaction, else each report alone."""
        try:
            self._write_together(batch)
            return
        except Exception as exc:
            if len(batch) == 1:
                batch[0].outcome = exc
                return
        log.warning("a batch of %d reports failed; writing them one by one", len(batch))
        for job in batch:
            try:
                self._write_together([job])
            except Exception as exc:
                job.outcome = exc

    def _write_together(self, batch: list[_Job]) -> None:
        """Outcomes are set as the reports go, and hold once the block commits."""
        with self.sessions() as db, db.begin():
            # Every sender's earlier reports in one query, kept up to date as the batch goes.
            known = sources.histories(
                db.connection(),
                {j.draft.sender_hash for j in batch if j.draft.sender_hash is not None},
            )
            for job in batch:
                job.outcome = self._store(db, job, known)
        self.batches += 1

    def _store(
        self, db: Session, job: _Job, known: dict[str, sources.History]
    ) -> intake.Stored | AppError:
        sender = job.draft.sender_hash
        try:
            ready = intake.check(db, job.draft, self.settings, known.get(sender or ""))
        except AppError as refusal:  # raised before this report wrote anything
            return refusal
        if isinstance(ready, intake.Stored):
            return ready
        stored = intake.write(db, ready, self.settings, now=job.now)
        if sender is not None:
            known[sender] = ready.history.including(stored.incident_id)
        return stored


def _answer(job: _Job) -> None:
    if job.answer.done() or job.answer.get_loop().is_closed():
        return  # the request went away; its report stays written
    outcome: Any = job.outcome
    if isinstance(outcome, intake.Stored):
        job.answer.set_result(outcome)
    else:
        job.answer.set_exception(outcome or RuntimeError("the intake writer lost a report"))
