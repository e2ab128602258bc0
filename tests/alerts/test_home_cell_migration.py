"""Migration 0008 moves circle subscriptions from their many cover cells to one home cell, and
back on downgrade; zone subscriptions keep their cells throughout."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from vecinos.alerts.areas import home_cell
from vecinos.db import UTCDateTime
from vecinos.geo.cells import cells_within
from vecinos.migrations import alembic_config, upgrade

COLUMNS = [
    "id",
    "channel",
    "status",
    "language",
    "contact_encrypted",
    "contact_index",
    "area_kind",
    "lat",
    "lon",
    "radius_m",
    "zone_ids",
    "wants_rumour_control",
    "wants_all_clear",
    "confirm_attempts",
    "handle_hash",
    "unsubscribe_hash",
]
subscriptions = sa.table(
    "alert_subscriptions",
    *(sa.column(name) for name in COLUMNS),
    sa.column("created_at", UTCDateTime),
)
cells = sa.table("alert_subscription_cells", sa.column("cell"), sa.column("subscription_id"))
CIRCLE = (34.0339, -118.2106, 2000)
ZONE_CELL = "872830828ffffff"


def row(id_: int, kind: str, **area: object) -> dict[str, object]:
    return {
        "id": id_,
        "channel": "log",
        "status": "active",
        "language": "es",
        "contact_encrypted": b"-",
        "contact_index": f"i{id_}",
        "area_kind": kind,
        "wants_rumour_control": False,
        "wants_all_clear": False,
        "confirm_attempts": 0,
        "handle_hash": f"h{id_}",
        "unsubscribe_hash": f"u{id_}",
        "created_at": datetime(2026, 6, 1, tzinfo=UTC),
        "lat": None,
        "lon": None,
        "radius_m": None,
        "zone_ids": None,
    } | area


@pytest.fixture
def at_0007(engine: Engine) -> Iterator[Engine]:
    command.downgrade(alembic_config(engine), "0007")
    try:
        yield engine
    finally:
        with engine.begin() as connection:
            connection.execute(cells.delete())
            connection.execute(subscriptions.delete())
        upgrade(engine)


def cells_of(engine: Engine, subscription_id: int) -> set[str]:
    with engine.connect() as connection:
        query = sa.select(cells.c.cell).where(cells.c.subscription_id == subscription_id)
        return set(connection.scalars(query))


def test_circles_get_one_home_cell_and_lose_their_cover(at_0007: Engine) -> None:
    lat, lon, radius = CIRCLE
    old_cover = set(cells_within(lat, lon, radius, 7))
    with at_0007.begin() as connection:
        connection.execute(
            subscriptions.insert(),
            [
                row(1, "circle", lat=lat, lon=lon, radius_m=radius),
                row(2, "zones"),
            ],
        )
        connection.execute(
            cells.insert(),
            [{"cell": c, "subscription_id": 1} for c in old_cover]
            + [{"cell": ZONE_CELL, "subscription_id": 2}],
        )

    upgrade(at_0007, "0008")
    with at_0007.connect() as connection:
        query = sa.text("SELECT id, home_cell FROM alert_subscriptions")
        homes: dict[int, str | None] = dict(connection.execute(query).all())
    assert homes == {1: home_cell(lat, lon, radius), 2: None}
    assert cells_of(at_0007, 1) == set() and cells_of(at_0007, 2) == {ZONE_CELL}

    command.downgrade(alembic_config(at_0007), "0007")
    assert cells_of(at_0007, 1) == old_cover and cells_of(at_0007, 2) == {ZONE_CELL}
