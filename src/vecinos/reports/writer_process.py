"""The intake writer process: `vecinos serve` writes public reports beside the web process.

A Python process computes on one core at a time (the GIL), and under a crowd of reports the
web process spent about as long writing them (clustering, the timeline, SQLite) as taking them
in (HTTP, JSON, checks). So `vecinos serve` starts a second process that does the writing, and
the two run on two cores.

The web process sends each batch of checked drafts down a socket as soon as it has gathered
(several may be on their way), straight from the event loop: no thread of the web process has
to wake for it, which under load cost milliseconds of waiting for the GIL each time. The
writer process takes every batch that has arrived into one transaction, written by the same
`BatchWriter` as in a thread, so every guarantee holds, and answers each batch in order with
its outcomes and the board changes for the web process to publish.

If the writer process dies, the batches it had are answered "send it again" (a retry with the
same idempotency key finds the report if it was written after all), and the web process
writes every later batch itself, in its thread: slower, never down.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
import select
import signal
import socket
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from types import FrameType
from typing import Any

from fastapi import FastAPI

from vecinos import events
from vecinos.config import Settings
from vecinos.db import make_engine, make_session_factory
from vecinos.errors import AppError
from vecinos.i18n import N_
from vecinos.reports import intake
from vecinos.reports.writer import MAX_BATCH, BatchWriter, IntakeWriter, InThread, Job
from vecinos.web.deps import AppContext
from vecinos.web.lifespan import run_beside

log = logging.getLogger(__name__)
STOP_TIMEOUT_SECONDS = 10.0
STARTUP_TIMEOUT_SECONDS = 60.0  # importing the app on a small, busy machine
RETRY_AFTER_SECONDS = 5
LENGTH_BYTES = 4  # each message: its length, then its pickle
READY = "ready"  # the writer process's first message

Drafts = list[tuple[intake.Draft, datetime]]


class WriterLost(AppError):
    status_code = 503
    code = "intake_interrupted"


def interrupted() -> WriterLost:
    return WriterLost(
        N_("The report may not have been stored; please send it again."),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


@dataclass(frozen=True)
class Reply:
    """One batch's answer: an outcome per draft, in order."""

    outcomes: list[intake.Stored | BaseException]
    heard: list[events.Event]  # for the boards, from the transaction that wrote this batch
    committed: int  # that transaction's commits, counted with its last batch


@dataclass(frozen=True)
class _Sent:
    batch: list[Job]
    reply: asyncio.Future[int]


class WriterProcess:
    """The web process's side, a `writer.Backend`; lives on one event loop."""

    depth = 16  # batches on their way at once; the writer process joins them up

    def __init__(
        self,
        process: multiprocessing.process.BaseProcess,
        streams: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        fallback: BatchWriter,
    ) -> None:
        self.process = process
        self._reader, self._writer = streams
        self.fallback = InThread(fallback)
        self.lost = False
        self._closing = False
        self._out: deque[_Sent] = deque()  # in the order they were sent
        self._replies: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, settings: Settings, fallback: BatchWriter) -> WriterProcess:
        spawn = multiprocessing.get_context("spawn")  # never fork: the web process has threads
        ours, theirs = socket.socketpair()
        process = spawn.Process(
            target=serve, args=(theirs, settings), name="vecinos-intake-writer", daemon=True
        )
        process.start()
        theirs.close()
        backend = cls(process, await asyncio.open_unix_connection(sock=ours), fallback)
        await backend._wait_until_ready()
        return backend

    async def _wait_until_ready(self) -> None:
        """Up before the server takes its first request, or left for the thread."""
        try:
            await asyncio.wait_for(_read_message(self._reader), STARTUP_TIMEOUT_SECONDS)
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
            self.process.kill()
            await self._gone()
        else:
            self._replies = asyncio.create_task(self._read_replies())

    async def write(self, batch: list[Job]) -> int:
        if self.lost:
            return await self.fallback.write(batch)
        sent = _Sent(batch, asyncio.get_running_loop().create_future())
        self._out.append(sent)
        self._writer.write(_framed([(job.draft, job.now) for job in batch]))
        with suppress(ConnectionError):  # then the reply reader answers for the batch
            await self._writer.drain()
        return await sent.reply

    async def close(self) -> None:
        """Ask the process to stop once it has written what it was sent, and wait for it."""
        self._closing = True
        if not self.lost:
            self._writer.write(_framed(None))
            with suppress(ConnectionError):
                await self._writer.drain()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.process.join, STOP_TIMEOUT_SECONDS)
        if self.process.is_alive():
            self.process.terminate()
            await loop.run_in_executor(None, self.process.join)
        if self._replies is not None:
            await self._replies
        self._writer.close()

    async def _read_replies(self) -> None:
        try:
            while True:
                reply: Reply = await _read_message(self._reader)
                self._settle(self._out.popleft(), reply)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the process is gone
        if not self._closing:
            await self._gone()

    async def _gone(self) -> None:
        """The process stopped unasked: what it had is answered "send it again", and this
        process writes from now on."""
        self.lost = True
        await asyncio.get_running_loop().run_in_executor(None, self.process.join, 1)
        log.error(
            "the intake writer process stopped (exit code %s): the web process writes now",
            self.process.exitcode,
        )
        while self._out:
            sent = self._out.popleft()
            for job in sent.batch:
                job.outcome = interrupted()
            if not sent.reply.done():
                sent.reply.set_result(0)

    def _settle(self, sent: _Sent, reply: Reply) -> None:
        for job, outcome in zip(sent.batch, reply.outcomes, strict=True):
            job.outcome = outcome
        for event in reply.heard:  # on SQLite; on PostgreSQL they came by NOTIFY
            events.hub.deliver(event.topic, event.payload)
        if not sent.reply.done():
            sent.reply.set_result(reply.committed)


def attach_writer_process(app: FastAPI) -> None:
    """The app writes its reports in a writer process that starts and stops with it."""

    @asynccontextmanager
    async def writer_process() -> AsyncIterator[None]:
        context: AppContext = app.state.context
        fallback = BatchWriter(context.sessions, context.settings)
        writer = IntakeWriter(await WriterProcess.start(context.settings, fallback))
        app.state.intake_writer = writer
        try:
            yield
        finally:
            await writer.close()

    run_beside(app, writer_process)


async def _read_message(reader: asyncio.StreamReader) -> Any:
    length = int.from_bytes(await reader.readexactly(LENGTH_BYTES), "big")
    return pickle.loads(await reader.readexactly(length))  # noqa: S301  (from our own child)


def _framed(message: Any) -> bytes:
    payload = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    return len(payload).to_bytes(LENGTH_BYTES, "big") + payload


# In the writer process.


def serve(connection: socket.socket, settings: Settings) -> None:
    """Batches in, outcomes out, until the web process says stop or goes away."""
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # Ctrl-C reaches the whole process group; the server stops this process when it is done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    shutdown = _Shutdown()
    collected = events.Collector()
    events.hub = collected  # the web process hands on what its boards must hear
    engine = make_engine(settings.effective_database_url)
    writer = BatchWriter(make_session_factory(engine), settings)
    inbox = _Inbox(connection)
    connection.sendall(_framed(READY))
    try:
        while not shutdown.asked and (arrived := inbox.take()):
            for batches in _transactions(arrived):
                shutdown.writing = True
                committed = writer.write([job for batch in batches for job in batch])
                for n, batch in enumerate(batches, start=1):
                    last = n == len(batches)
                    outcomes = [_portable(job.outcome) for job in batch]
                    heard = collected.take() if last else []
                    connection.sendall(_framed(Reply(outcomes, heard, committed if last else 0)))
                shutdown.writing = False
                if shutdown.asked:
                    return
    finally:
        engine.dispose()


def _transactions(arrived: list[Drafts]) -> Iterator[list[list[Job]]]:
    """The batches that arrived, joined into transactions of about `MAX_BATCH` reports: a
    crowd is written in few transactions, none holding SQLite's write lock for long."""
    group: list[list[Job]] = []
    size = 0
    for drafts in arrived:
        if group and size + len(drafts) > MAX_BATCH:
            yield group
            group, size = [], 0
        group.append([Job(draft, now) for draft, now in drafts])
        size += len(drafts)
    if group:
        yield group


class _Inbox:
    """The batches that have arrived on the writer process's blocking socket."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.buffer = bytearray()
        self.open = True

    def take(self) -> list[Drafts]:
        """Every batch that has arrived, waiting for the first; none once the web process has
        said stop (or gone away)."""
        batches: list[Drafts] = []
        while self.open and not batches:
            self._receive()
            batches = self._unframed()
        while self.open and select.select([self.connection], [], [], 0)[0]:
            self._receive()  # more came while the last transaction was written: join them
            batches += self._unframed()
        return batches

    def _receive(self) -> None:
        chunk = self.connection.recv(1 << 16)
        self.buffer += chunk
        self.open = bool(chunk)

    def _unframed(self) -> list[Drafts]:
        batches: list[Drafts] = []
        while len(self.buffer) >= LENGTH_BYTES:
            end = LENGTH_BYTES + int.from_bytes(self.buffer[:LENGTH_BYTES], "big")
            if len(self.buffer) < end:
                break
            drafts: Drafts | None = pickle.loads(self.buffer[LENGTH_BYTES:end])  # noqa: S301
            del self.buffer[:end]
            if drafts is None:  # stop: what came before it is written first
                self.open = False
                break
            batches.append(drafts)
        return batches


class _Shutdown:
    """SIGTERM ends the process between two transactions, never in the middle of one."""

    def __init__(self) -> None:
        self.writing = False
        self.asked = False
        signal.signal(signal.SIGTERM, self._on_terminate)

    def _on_terminate(self, _signal: int, _frame: FrameType | None) -> None:
        self.asked = True
        if not self.writing:
            raise SystemExit(0)


def _portable(outcome: intake.Stored | BaseException | None) -> intake.Stored | BaseException:
    """The outcome as the web process can unpickle it; a database error may not be."""
    if outcome is None or isinstance(outcome, intake.Stored | AppError):
        return outcome or RuntimeError("the intake writer lost a report")
    try:
        # Our own bytes, just made: the round trip only tests that the other side can read them.
        portable: BaseException = pickle.loads(pickle.dumps(outcome))  # noqa: S301
    except Exception:
        return RuntimeError(f"{type(outcome).__name__}: {outcome}")
    return portable
