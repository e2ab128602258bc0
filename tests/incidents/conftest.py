"""`writer`: a session on the app's own engine, for tests that change data through services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from vecinos.config import Settings


@pytest.fixture
def writer(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Event streams end after a second, so a test can read one to its end."""
    settings.incident_stream_seconds = 1
    return settings
