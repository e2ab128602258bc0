"""The embedded database: SQLite in WAL mode, one writer at a time, readers never waiting.

SQLite lets one transaction write at a time. Left to itself, a writer that finds the lock
taken sleeps in SQLite's busy handler, in steps that grow to 100 ms, and retries; writers
arriving meanwhile can take the lock first. Under a burst (residents texting back after an
alert, a flood of reports) a few writers lose again and again and wait seconds while the lock
is free most of the time. So the writers of one process queue on a lock of their own, taken
just before `BEGIN IMMEDIATE` and given back as the transaction ends: a waiting writer starts
the moment the previous one commits. Between processes (a separate `vecinos worker`) SQLite's
busy handler still arbitrates.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

# How long a writer waits for the lock, in this process or another, before giving up (the
# request then answers 503 with Retry-After).
WRITE_WAIT_SECONDS = 10.0

# Connections kept open: one for each thread that may hold a session at once (AnyIO's 40
# worker threads, which run the routes, and a few of our own). With SQLAlchemy's default of
# five, a burst of requests opened and closed a connection each, with its PRAGMAs, and the
# wait for one was the longest part of a reply's tail. A kept connection is a file handle.
POOL_SIZE = 48

# SQLite's busy handler: how long a connection waits for a writer in another process.
_WAIT_FOR_OTHER_WRITERS = f"PRAGMA busy_timeout={int(WRITE_WAIT_SECONDS * 1000)}"

# An execution option of the sessions that only read (`vecinos.db.read_sessions`).
READ_ONLY = "vecinos_read_only"
# An execution option for a writer that must not wait for the lock (one on the event loop):
# its BEGIN raises `WriterBusy` at once when another writer, here or in another process,
# holds it.
WRITE_NOW = "vecinos_write_now"


class WriterBusy(Exception):
    """Another writer holds the lock and the transaction asked not to wait (`WRITE_NOW`)."""


def make_sqlite_engine(
    url: str, *, write_wait_seconds: float = WRITE_WAIT_SECONDS, **kwargs: Any
) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Python's sqlite3 module opens transactions lazily and skips BEGIN before SELECT; we take
    # control of BEGIN ourselves so reads inside a transaction are consistent (SQLAlchemy docs,
    # "Serializable isolation / Savepoints / Transactional DDL").
    kwargs.setdefault("pool_size", POOL_SIZE)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _configure_connection)
    WriterQueue(write_wait_seconds).listen(engine)
    return engine


def _configure_connection(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # hand BEGIN over to WriterQueue
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the single writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(_WAIT_FOR_OTHER_WRITERS)  # another process's writer: wait, not fail
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster than FULL
    cursor.close()


class WriterQueue:
    """Begins every transaction of one engine, queueing its writers on one lock."""

    def __init__(self, wait_seconds: float = WRITE_WAIT_SECONDS) -> None:
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        # The connection holding the lock, as SQLAlchemy's and as the driver's: the second
        # catches a transaction whose Connection was dropped without ending it, when the pool
        # takes its driver connection back.
        self._holder: weakref.ref[Connection] | None = None
        self._holder_dbapi: object | None = None

    def listen(self, engine: Engine) -> None:
        event.listen(engine, "begin", self.begin)
        event.listen(engine, "commit", self.ended)
        event.listen(engine, "rollback", self.ended)
        event.listen(engine, "checkin", self.checked_in)

    def begin(self, connection: Connection) -> None:
        # A transaction that only reads begins DEFERRED: in WAL mode it never waits for the
        # writer (a public feed during a flood of reports, a health check while a batch
        # commits). IMMEDIATE takes the write lock up front, so two writers never deadlock
        # upgrading read locks.
        options = connection.get_execution_options()
        if options.get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN DEFERRED")
            return
        if options.get(WRITE_NOW, False):
            self._begin_now(connection)
            return
        self._take(connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.ended(connection)  # unless SQLAlchemy's rollback of the failed BEGIN did
            raise

    def _begin_now(self, connection: Connection) -> None:
        if not self._lock.acquire(blocking=False):
            raise WriterBusy("another writer of this process holds the lock")
        self._hold(connection)
        # SQLite's busy handler would wait for a writer in another process (a purge from
        # cron): for this BEGIN only, it fails at once instead.
        try:
            connection.exec_driver_sql("PRAGMA busy_timeout=0")
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            finally:
                connection.exec_driver_sql(_WAIT_FOR_OTHER_WRITERS)
        except OperationalError as exc:
            self.ended(connection)  # unless SQLAlchemy's rollback of the failed BEGIN did
            raise WriterBusy("another process's writer holds the lock") from exc
        except BaseException:
            self.ended(connection)
            raise

    def ended(self, connection: Connection) -> None:
        # SQLAlchemy calls this just before COMMIT or ROLLBACK; the next writer's BEGIN
        # IMMEDIATE may meet the lock for that instant, which SQLite's busy handler absorbs in
        # its first, millisecond-long step.
        if self._holder is not None and self._holder() is connection:
            self._give_back()

    def checked_in(self, dbapi_connection: object, _record: object) -> None:
        if dbapi_connection is not None and self._holder_dbapi is dbapi_connection:
            self._give_back()

    def _take(self, connection: Connection) -> None:
        if not self._lock.acquire(timeout=self.wait_seconds):
            raise OperationalError(
                "BEGIN IMMEDIATE",
                None,
                sqlite3.OperationalError("database is locked: another writer held it too long"),
            )
        self._hold(connection)

    def _hold(self, connection: Connection) -> None:
        self._holder = weakref.ref(connection)  # a dropped Connection must still be collected
        self._holder_dbapi = connection.connection.dbapi_connection

    def _give_back(self) -> None:
        self._holder = None
        self._holder_dbapi = None
        self._lock.release()
