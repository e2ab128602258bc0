"""Migration 0010 gives existing zones the folded form of their name that searches compare."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.reports.factories import box
from vecinos.db import UTCDateTime
from vecinos.migrations import alembic_config, upgrade

zones = sa.table(
    "zones",
    sa.column("id"),
    sa.column("organization_id"),
    sa.column("name"),
    sa.column("geometry", sa.JSON),
    sa.column("created_at", UTCDateTime),
)


@pytest.fixture
def at_0009(engine: Engine, cast: Cast) -> Iterator[Engine]:
    command.downgrade(alembic_config(engine), "0009")
    try:
        yield engine
    finally:
        upgrade(engine)


def test_existing_zones_get_their_search_key(
    at_0009: Engine, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    made = datetime(2026, 6, 1, tzinfo=UTC)
    with at_0009.begin() as connection:
        for id_, name in ((1, "Plaza  México"), (2, "BOYLE Heights")):
            connection.execute(
                zones.insert().values(
                    id=id_,
                    organization_id=cast.eastside,
                    name=name,
                    geometry=box(-118.2, 34.0, -118.1, 34.1),
                    created_at=made,
                )
            )
    upgrade(at_0009)
    with at_0009.connect() as connection:
        keys = connection.execute(sa.text("SELECT id, search_key FROM zones ORDER BY id")).all()
    assert [tuple(k) for k in keys] == [(1, "plaza mexico"), (2, "boyle heights")]
