"""Loading the synthetic population: into vecinos' own schema (any database, through the real
migrations and the real H3 cover), and into a plain PostGIS table for the peer comparison."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import cast

import psycopg
from bench.fanout.synth import Population
from sqlalchemy import Engine, Table, insert
from sqlalchemy.engine import make_url

from vecinos.alerts.models import Subscription, SubscriptionCell
from vecinos.geo.cells import cells_within

CHUNK = 20_000
NOW = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)


def _subscription_rows(
    pop: Population, start: int, stop: int, contact: bytes, channel: str | None
) -> list[dict[str, object]]:
    return [
        {
            "id": i + 1,
            "channel": channel or str(pop.channel[i]),
            "status": "active",
            "language": str(pop.language[i]),
            "contact_encrypted": contact,
            "contact_index": f"bench-{i}",
            "area_kind": "circle",
            "lat": float(pop.lat[i]),
            "lon": float(pop.lon[i]),
            "radius_m": int(pop.radius_m[i]),
            "wants_rumour_control": bool(pop.wants_rumour_control[i]),
            "wants_all_clear": False,
            "confirm_attempts": 0,
            "handle_hash": f"h-{i}",
            "unsubscribe_hash": f"u-{i}",
            "created_at": NOW,
            "confirmed_at": NOW,
        }
        for i in range(start, stop)
    ]


def _cell_rows(
    pop: Population, start: int, stop: int, resolution: int
) -> Iterator[dict[str, object]]:
    """The same cover `subscriptions.subscribe` stores (areas.cover for a circle)."""
    for i in range(start, stop):
        for cell in cells_within(
            float(pop.lat[i]), float(pop.lon[i]), int(pop.radius_m[i]), resolution
        ):
            yield {"cell": cell, "subscription_id": i + 1}


def into_vecinos(
    engine: Engine,
    pop: Population,
    *,
    resolution: int = 7,
    cells_too: bool = True,
    contact: bytes = b"-",
    channel: str | None = None,
) -> int:
    """Subscriptions (and their cells), in chunks; returns how many cell rows were written."""
    subscriptions = cast(Table, Subscription.__table__)
    cells = cast(Table, SubscriptionCell.__table__)
    written = 0
    for start in range(0, len(pop), CHUNK):
        stop = min(start + CHUNK, len(pop))
        rows = list(_cell_rows(pop, start, stop, resolution)) if cells_too else []
        with engine.begin() as connection:
            people = _subscription_rows(pop, start, stop, contact, channel)
            connection.execute(insert(subscriptions), people)
            if rows:
                connection.execute(insert(cells), rows)
        written += len(rows)
    return written


def psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_postgis(database: str) -> None:
    """CREATE EXTENSION needs a superuser: run it as the postgres system user (Debian)."""
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            "psql",
            "-q",
            "-d",
            database,
            "-c",
            "CREATE EXTENSION IF NOT EXISTS postgis",
        ],
        check=True,
    )


def into_postgis(url: str, pop: Population) -> None:
    """A plain table of points and radii with a GiST index on the geography."""
    with psycopg.connect(psycopg_url(url), autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_subscribers")
        connection.execute(
            "CREATE TABLE bench_subscribers"
            " (id integer PRIMARY KEY, geog geography(Point, 4326) NOT NULL, radius_m integer)"
        )
        with connection.cursor().copy(
            "COPY bench_subscribers (id, geog, radius_m) FROM STDIN"
        ) as copy:
            for i in range(len(pop)):
                point = f"SRID=4326;POINT({pop.lon[i]:.7f} {pop.lat[i]:.7f})"
                copy.write_row((i + 1, point, int(pop.radius_m[i])))
        connection.execute("CREATE INDEX ON bench_subscribers USING gist (geog)")
        connection.execute("ANALYZE bench_subscribers")
