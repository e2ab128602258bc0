"""Shared fixtures: a real database (SQLite, or PostgreSQL when VECINOS_TEST_DATABASE_URL is
set), the app on it with a controllable clock, and a cast of people for permission tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg.errors import DeadlockDetected
from sqlalchemy import Engine, Table, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, build_cast
from tests.events_helpers import Heard, hearing
from vecinos.app.factory import create_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import Base, is_sqlite, make_engine, make_session_factory
from vecinos.geo import postal
from vecinos.migrations import upgrade

pytest_plugins = ("tests.browser.fixtures",)  # live server, Chromium, pages: for every folder
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("VECINOS_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'vecinos-test.db'}"
    )


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if not is_sqlite(database_url):
        with engine.begin() as connection:  # a clean schema for every run on a shared server
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)  # the real migrations, not create_all: they are what deployments run
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "engine" not in request.fixturenames:
        return
    engine: Engine = request.getfixturevalue("engine")
    tables = list(reversed(Base.metadata.sorted_tables))
    for attempt in range(DEADLOCK_RETRIES):
        try:
            _empty(engine, tables)
            return
        except OperationalError as exc:
            # Other processes may be working on the database meanwhile (tests/deploy starts a
            # whole deployment): PostgreSQL breaks a deadlock with TRUNCATE by failing one side.
            if not isinstance(exc.orig, DeadlockDetected) or attempt == DEADLOCK_RETRIES - 1:
                raise


DEADLOCK_RETRIES = 5


def _empty(engine: Engine, tables: list[Table]) -> None:
    with engine.begin() as connection:
        if is_sqlite(str(engine.url)):
            for table in tables:
                connection.execute(table.delete())
        else:
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        secret_key=TEST_SECRET,
        public_url="https://vecinos.test",
        # Tests of what a report does post plain JSON; tests/reports/test_challenge.py and
        # the report page's browser tests turn proofs on and solve them as a phone does.
        report_proof_of_work=False,
    )


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    """A session for the test's own checks, on a plain engine: on SQLite it takes no write
    lock (the app's engine begins IMMEDIATE) and each statement sees the latest commits."""
    reader = create_engine(database_url)
    with Session(reader) as session:
        yield session
    reader.dispose()


@pytest.fixture
def app(settings: Settings, engine: Engine, clock: FrozenClock) -> FastAPI:
    return create_app(settings, engine=engine, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # https: session cookies are Secure and would not come back over plain http.
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def cast(sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock) -> Cast:
    return build_cast(sessions, settings, clock)


@pytest.fixture
def heard(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Heard]:
    """Every live event this process hears, as any process of the deployment would."""
    yield from hearing(engine, monkeypatch)


@pytest.fixture
def zip_codes_unloaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A process that has not loaded the ZIP codes yet (the index is rebuilt from them); the
    look-ups the test built go with it, so later tests never read a test's own few codes."""
    monkeypatch.setattr(postal, "_loaded", None)
    monkeypatch.setattr(postal, "_kept_under", None)
    postal._by_code.cache_clear()
    postal._tree.cache_clear()
    yield
    postal._by_code.cache_clear()
    postal._tree.cache_clear()
