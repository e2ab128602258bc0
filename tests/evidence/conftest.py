"""Evidence fixtures: an Eastside incident and signed-in clients for the cast."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from tests.dispatch.factories import client_for, make_incident


@pytest.fixture
def incident(sessions: sessionmaker[Session], cast: Cast) -> int:
    return make_incident(sessions, cast)


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
