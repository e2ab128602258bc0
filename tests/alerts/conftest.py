"""Signed-in clients of the cast that alert tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.cast import Cast
from tests.dispatch.factories import client_for


@pytest.fixture
def dario(app: FastAPI, cast: Cast) -> Iterator[TestClient]:
    """Eastside's dispatcher."""
    with client_for(app, cast, cast.dario) as client:
        yield client


@pytest.fixture
def elena(app: FastAPI, cast: Cast) -> Iterator[TestClient]:
    """Eastside's coordinator."""
    with client_for(app, cast, cast.elena) as client:
        yield client
