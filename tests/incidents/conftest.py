"""`writer`: a session on the app's own engine, for tests that change data through services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker


@pytest.fixture
def writer(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session
