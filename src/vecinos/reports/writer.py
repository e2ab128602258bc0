"""Group commit for public intake: reports arriving together are written in one transaction.

SQLite takes one writer at a time, and a transaction per report spends most of its time on
BEGIN, COMMIT and queueing threads for the write lock. Here the request handlers, on the event
loop, hand their prepared reports to the app's one `IntakeWriter`. Once per turn of the loop,
whatever has gathered is written as one batch (one at a time: while it is written, the next
batch gathers): on SQLite by the event loop itself when the write lock is free, else (and on
PostgreSQL always) by the writer thread. Each handler gets its own answer (or its own refusal)
back. Nothing waits on a timer: a lone report is written at once, and a crowd of them shares
the cost.

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
from vecinos.db.embedded import WRITE_NOW, WriterBusy
from vecinos.errors import AppError
from vecinos.ratelimit import RateLimits
from vecinos.reports import capacity, challenge, clustering, intake, sources

log = logging.getLogger(__name__)

MAX_BATCH = 64  # reports in one transaction: on SQLite, about 30 ms of the event loop
# One thread writes the batches the event loop does not, one batch at a time (a writer waits
# for its previous batch anyway). While it waits on the database (sqlite3 and psycopg let go
# of the GIL then), the event loop goes on reading and checking the next requests.
_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-writer")


@dataclass
class Job:
    """One report to write, and what became of it (set where the batch is written)."""

    draft: intake.Draft
    now: datetime
    proof: challenge.Solved | None = None  # spent with the report it buys
    outcome: intake.Stored | BaseException | None = field(default=None)


class IntakeWriter:
    """One per app. `submit` may be called from many requests at once on the event loop."""

    def __init__(self, writer: BatchWriter, *, on_loop: bool = False) -> None:
        """`on_loop`: write a batch on the event loop when the write lock is free at once."""
        self.writer = writer
        self.on_loop = on_loop
        self._waiting: list[tuple[Job, asyncio.Future[intake.Stored]]] = []
        self._writing: asyncio.Task[None] | None = None  # the batch in the writer thread
        self._dispatch_on: asyncio.AbstractEventLoop | None = None  # a dispatch is due there
        self.batches = 0  # transactions committed, for tests and curiosity

    @classmethod
    def in_thread(
        cls, sessions: sessionmaker[Session], settings: Settings, limits: RateLimits | None = None
    ) -> IntakeWriter:
        """Batches written by the writer thread of this process."""
        return cls(BatchWriter(sessions, settings, limits))

    @classmethod
    def for_database(
        cls, sessions: sessionmaker[Session], settings: Settings, limits: RateLimits | None = None
    ) -> IntakeWriter:
        """On SQLite, batches written on the event loop when they can be at once, else by
        the writer thread; on PostgreSQL by the writer thread, which waits on the network.

        SQLite writes a batch in a few milliseconds of CPU, in some 25 calls that each let go
        of the GIL. From a thread, each call then waited to get it back from the busy event
        loop: beside 2,000 feed reads a second a batch took 40-60 ms instead of 3 and intake
        fell to 30 reports/s."""
        sqlite = sessions.kw["bind"].dialect.name == "sqlite"
        return cls(BatchWriter(sessions, settings, limits), on_loop=sqlite)

    async def submit(
        self, draft: intake.Draft, *, now: datetime, proof: challenge.Solved | None = None
    ) -> intake.Stored:
        """Store the report with whatever else is waiting; its result, or its refusal raised."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[intake.Stored] = loop.create_future()
        self._waiting.append((Job(draft, now, proof), answer))
        if self._dispatch_on is not loop or loop.is_closed():
            # Once per turn of the loop: the reports that came in together go together.
            # (A test client may run each request in a loop of its own, closed after it.)
            self._dispatch_on = loop
            loop.call_soon(self._dispatch)
        return await answer

    def _dispatch(self) -> None:
        """Hand what is waiting to the writer thread as one batch, unless it is writing one."""
        self._dispatch_on = None
        if self._waiting and (self._writing is None or self._writing.done()):
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            task = asyncio.get_running_loop().create_task(self._write(batch))
            self._writing = task
            task.add_done_callback(lambda _: self._dispatch())

    async def _write(self, batch: list[tuple[Job, asyncio.Future[intake.Stored]]]) -> None:
        jobs = [job for job, _ in batch]
        try:
            if self.on_loop and self.writer.write_now(jobs):
                self.batches += 1
            else:
                loop = asyncio.get_running_loop()
                self.batches += await loop.run_in_executor(_THREAD, self.writer.write, jobs)
        except BaseException as exc:  # cancelled with the loop, or a bug: nobody hangs
            for job in jobs:
                job.outcome = job.outcome or exc
            if not isinstance(exc, Exception):
                raise
            log.exception("the intake writer failed a batch of %d reports", len(jobs))
        finally:
            for job, answer in batch:
                _answer(job, answer)


class BatchWriter:
    """Writes batches on the app's database connections, in the writer thread."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, limits: RateLimits | None = None
    ) -> None:
        """`limits`: the app's, for the intake ceiling (None: no ceiling, as in some tests)."""
        self.sessions = sessions
        self.settings = settings
        self.ceiling = capacity.Ceiling(limits, settings) if limits is not None else None

    def write(self, batch: list[Job]) -> int:
        """The batch in one transaction, else each report alone."""
        try:
            self._write_together(batch)
            return 1
        except Exception as exc:
            if len(batch) == 1:
                batch[0].outcome = exc
                return 0
        log.warning("a batch of %d reports failed; writing them one by one", len(batch))
        committed = 0
        for job in batch:
            try:
                self._write_together([job])
                committed += 1
            except Exception as exc:
                job.outcome = exc
        return committed

    def write_now(self, batch: list[Job]) -> bool:
        """The batch in one transaction if the write lock is free at once (on SQLite; see
        `IntakeWriter.for_database`). False when it is not, or the batch failed: nothing of
        it is written then, and `write` takes it."""
        try:
            self._write_together(batch, wait=False)
        except WriterBusy:
            return False
        except Exception:
            log.warning("a batch of %d reports failed; writing it again", len(batch), exc_info=True)
            return False
        return True

    def _write_together(self, batch: list[Job], *, wait: bool = True) -> None:
        """Outcomes are set as the reports go, and hold once the block commits.

        Every report is checked (reads only) before any is written, so that on PostgreSQL
        the batch takes all its locks, idempotency keys then areas, each set in one order,
        before its first write: another process's batch takes them in the same order, and
        two batches queue instead of deadlocking (which failed both batches and wrote their
        reports again one by one)."""
        with self.sessions() as db, db.begin():
            connection = db.connection(execution_options={WRITE_NOW: not wait})
            # Every sender's earlier reports in one query, kept up to date as the batch goes.
            known = sources.histories(
                connection,
                {j.draft.sender_hash for j in batch if j.draft.sender_hash is not None},
            )
            intake.lock_keys(connection, [j.draft.key_hash for j in batch if j.draft.key_hash])
            checked = [(job, self._check(db, job, known)) for job in batch]
            clustering.lock_areas(
                connection,
                [clustering.sighting_of(c.row) for _, c in checked if isinstance(c, intake.Ready)],
                clustering.Rules.of(self.settings),
            )
            keys_written: set[str] = set()
            for job, check in checked:
                key = job.draft.key_hash
                if key in keys_written:  # a retry of a report just written in this batch
                    check = self._check(db, job, known)
                job.outcome = self._store(db, job, check, known)
                if key is not None:
                    keys_written.add(key)

    def _check(
        self, db: Session, job: Job, known: dict[str, sources.History]
    ) -> intake.Stored | intake.Ready | AppError:
        try:
            return intake.check(
                db, job.draft, self.settings, known.get(job.draft.sender_hash or "")
            )
        except AppError as refusal:  # raised before this report wrote anything
            return refusal

    def _store(
        self,
        db: Session,
        job: Job,
        check: intake.Stored | intake.Ready | AppError,
        known: dict[str, sources.History],
    ) -> intake.Stored | AppError:
        if not isinstance(check, intake.Ready):
            return check  # a refusal, or a retry answered by the report its first attempt bought
        sender = job.draft.sender_hash
        # The sender's incidents as they are now: an earlier report of this batch may be in one.
        ready = intake.Ready(check.row, known.get(sender or "", check.history))
        looked = None
        try:
            if job.proof is not None:
                challenge.spend(db, job.proof)  # before the ceiling: a replay takes no room
            if self.ceiling is not None:
                # Looked once, for the ceiling and for placing (the batch holds the area's lock).
                looked = clustering.look(db.connection(), ready.row, self.settings)
                self.ceiling.admit(looked, job.now)
        except AppError as refusal:
            return refusal
        stored = intake.write(db, ready, self.settings, now=job.now, looked=looked)
        if sender is not None:
            known[sender] = ready.history.including(stored.incident_id)
        return stored


def _answer(job: Job, answer: asyncio.Future[intake.Stored]) -> None:
    if answer.done() or answer.get_loop().is_closed():
        return  # the request went away; its report stays written
    outcome: Any = job.outcome
    if isinstance(outcome, intake.Stored):
        answer.set_result(outcome)
    else:
        answer.set_exception(outcome or RuntimeError("the intake writer lost a report"))
