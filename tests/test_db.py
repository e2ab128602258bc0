"""Storage: SQLite pragmas, migrations that match the models, both databases."""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from vecinos.db import commit_without_flush_to_disk, is_sqlite
from vecinos.db.embedded import READ_ONLY, WRITE_NOW, WriterBusy, make_sqlite_engine
from vecinos.models import metadata


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == [], "write a migration for these model changes"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    if not is_sqlite(str(engine.url)):
        return
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000


def test_a_transaction_may_commit_without_a_disk_flush_and_only_that_one(engine: Engine) -> None:
    if is_sqlite(str(engine.url)):
        pytest.skip("SQLite commits in WAL mode without a flush (synchronous=NORMAL) already")
    with Session(engine) as db:
        with db.begin():
            commit_without_flush_to_disk(db)
            assert db.execute(text("SHOW synchronous_commit")).scalar() == "off"
        with db.begin():  # the next transaction on the same connection waits for the disk
            assert db.execute(text("SHOW synchronous_commit")).scalar() == "on"


# SQLite's writers of one process queue on a lock of their own (vecinos.db.embedded): each way
# a write transaction can end must hand the lock to the next writer, or every write after it
# would wait out the timeout.
WAYS_A_WRITE_ENDS: dict[str, Callable[[Engine], None]] = {
    "commit": lambda engine: _write(engine, commit=True),
    "rollback": lambda engine: _write(engine, commit=False),
    "error in the block": lambda engine: _write_then_fail(engine),
    "session commit": lambda engine: _session_write(engine, commit=True),
    "session closed unfinished": lambda engine: _session_write(engine, commit=False),
    "connection dropped unfinished": lambda engine: _dropped_mid_transaction(engine),
}


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_sqlite_engine(f"sqlite:///{tmp_path / 'writers.db'}", write_wait_seconds=2)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    yield engine
    engine.dispose()


@pytest.mark.parametrize("way", WAYS_A_WRITE_ENDS)
def test_every_way_a_write_ends_lets_the_next_writer_in(sqlite_engine: Engine, way: str) -> None:
    WAYS_A_WRITE_ENDS[way](sqlite_engine)
    started = time.monotonic()
    _write(sqlite_engine, commit=True)
    assert time.monotonic() - started < 1, "the next writer waited for a lock nobody held"


def test_a_writer_waits_for_the_one_writing_and_starts_when_it_commits(
    sqlite_engine: Engine,
) -> None:
    second_in = threading.Event()

    def second_writer() -> None:
        _write(sqlite_engine, commit=True)
        second_in.set()

    with sqlite_engine.begin() as first:
        first.exec_driver_sql("INSERT INTO notes (body) VALUES ('first')")
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert not second_in.wait(0.2), "two writers at once"
    assert second_in.wait(10)
    thread.join()
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM notes").scalar() == 2


def test_a_writer_gives_up_with_database_locked_and_readers_still_read(
    sqlite_engine: Engine,
) -> None:
    outcome: list[BaseException | None] = []

    def second_writer() -> None:
        try:
            _write(sqlite_engine, commit=True)
            outcome.append(None)
        except OperationalError as error:
            outcome.append(error)

    with sqlite_engine.begin() as first:
        first.exec_driver_sql("INSERT INTO notes (body) VALUES ('held')")
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(30)
        reads = sqlite_engine.execution_options(**{READ_ONLY: True})
        with reads.connect() as reader, reader.begin():
            assert reader.exec_driver_sql("SELECT count(*) FROM notes").scalar() == 0
    assert len(outcome) == 1
    assert isinstance(outcome[0], OperationalError)
    assert "database is locked" in str(outcome[0])
    _write(sqlite_engine, commit=True)  # the lock came back with the first writer's commit


def test_a_writer_that_must_not_wait_is_told_at_once_the_lock_is_held(
    sqlite_engine: Engine,
) -> None:
    now = sqlite_engine.execution_options(**{WRITE_NOW: True})
    with sqlite_engine.begin() as first:  # a writer of this process holds the lock
        first.exec_driver_sql("INSERT INTO notes (body) VALUES ('held')")
        started = time.monotonic()
        with pytest.raises(WriterBusy), now.connect() as connection:
            connection.begin()
        assert time.monotonic() - started < 1, "it waited for the writer"
    with now.connect() as connection:  # free again: it writes, and hands the lock back
        connection.begin()
        connection.exec_driver_sql("INSERT INTO notes (body) VALUES ('now')")
        connection.commit()
    _write(sqlite_engine, commit=True)


def test_a_writer_that_must_not_wait_is_told_at_once_another_process_writes(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "writers.db", isolation_level=None)  # another process's
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        now = sqlite_engine.execution_options(**{WRITE_NOW: True})
        with pytest.raises(WriterBusy), now.connect() as connection:
            connection.begin()
        assert time.monotonic() - started < 1, "SQLite's busy handler waited for the writer"
    finally:
        other.execute("ROLLBACK")
        other.close()
    with sqlite_engine.connect() as connection:  # the next writers wait for others again
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    _write(sqlite_engine, commit=True)  # and this process's lock was given back


def _write(engine: Engine, *, commit: bool) -> None:
    with engine.connect() as connection:
        connection.begin()
        connection.exec_driver_sql("INSERT INTO notes (body) VALUES ('x')")
        if commit:
            connection.commit()
        else:
            connection.rollback()


def _write_then_fail(engine: Engine) -> None:
    def failing_write() -> None:
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO notes (body) VALUES ('x')")
            raise LookupError("the block failed")

    with pytest.raises(LookupError):
        failing_write()


def _session_write(engine: Engine, *, commit: bool) -> None:
    with Session(engine) as session:
        session.execute(text("INSERT INTO notes (body) VALUES ('x')"))
        if commit:
            session.commit()


def _dropped_mid_transaction(engine: Engine) -> None:
    connection = engine.connect()
    connection.begin()
    connection.exec_driver_sql("INSERT INTO notes (body) VALUES ('x')")
    # Nobody ends it: the pool takes the driver connection back (rolled back) on collection.
    del connection
    gc.collect()
