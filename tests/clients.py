"""Fixtures for tests that act as several people at once, or through the CLI; a folder's
conftest imports the ones it uses."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.cast import Cast, Person
from tests.dispatch.factories import client_for
from vecinos.config import Settings


@pytest.fixture
def signed_in(app: FastAPI, cast: Cast) -> Iterator[Callable[[Person], TestClient]]:
    """`signed_in(cast.rosa)`: a client of that person (one browser each, kept open)."""
    clients: dict[str, TestClient] = {}

    def make(person: Person) -> TestClient:
        if person.email not in clients:
            clients[person.email] = client_for(app, cast, person)
        return clients[person.email]

    yield make
    for client in clients.values():
        client.close()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose environment points at the test's database and data folder."""
    monkeypatch.setenv("VECINOS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("VECINOS_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("VECINOS_SECRET_KEY", settings.secret)
    return CliRunner()
