"""Loading the synthetic population: into vecinos' own schema (any database, through the real
migrations and the real home cell), and into a plain PostGIS table for the peer comparison."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from typing import cast

import psycopg
from bench.fanout.synth import Population
from sqlalchemy import Engine, Table, insert
from sqlalchemy.engine import make_url

from vecinos.alerts.areas import home_cell
from vecinos.alerts.models import RADII_M, Subscription

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
            "home_cell": home_cell(float(pop.lat[i]), float(pop.lon[i]), int(pop.radius_m[i])),
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


def into_vecinos(
    engine: Engine,
    pop: Population,
    *,
    contact: bytes = b"-",
    channel: str | None = None,
) -> None:
    """Subscriptions as `subscriptions.subscribe` stores a circle, in chunks."""
    subscriptions = cast(Table, Subscription.__table__)
    for start in range(0, len(pop), CHUNK):
        stop = min(start + CHUNK, len(pop))
        with engine.begin() as connection:
            people = _subscription_rows(pop, start, stop, contact, channel)
            connection.execute(insert(subscriptions), people)


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
    """A plain table of points, radii, channels and languages, indexed as a PostGIS expert
    would for this query: one partial GiST index per offered radius, so each band's
    `ST_DWithin` prunes with its own radius."""
    with psycopg.connect(psycopg_url(url), autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_subscribers")
        connection.execute(
            "CREATE TABLE bench_subscribers (id integer PRIMARY KEY,"
            " geog geography(Point, 4326) NOT NULL, radius_m integer NOT NULL,"
            " channel text NOT NULL, language text NOT NULL)"
        )
        columns = "id, geog, radius_m, channel, language"
        with connection.cursor().copy(f"COPY bench_subscribers ({columns}) FROM STDIN") as copy:
            for i in range(len(pop)):
                point = f"SRID=4326;POINT({pop.lon[i]:.7f} {pop.lat[i]:.7f})"
                radius, channel, language = pop.radius_m[i], pop.channel[i], pop.language[i]
                copy.write_row((i + 1, point, int(radius), str(channel), str(language)))
        for radius in RADII_M:
            connection.execute(
                f"CREATE INDEX ON bench_subscribers USING gist (geog) WHERE radius_m = {radius}"
            )
        connection.execute("ANALYZE bench_subscribers")
