"""Evidence fixtures: an Eastside incident and signed-in clients for the cast."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.clients import cli_env, signed_in
from tests.dispatch.factories import make_incident

__all__ = ["cli_env", "signed_in"]


@pytest.fixture
def incident(sessions: sessionmaker[Session], cast: Cast) -> int:
    return make_incident(sessions, cast)
