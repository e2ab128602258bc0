"""The fan-out benchmark: match, write the outbox, drain it. See docs/benchmarks.md.

    .venv/bin/python -m bench.fanout            # 1,000,000 subscribers (takes a while)
    .venv/bin/python -m bench.fanout --quick    # 20,000 subscribers, a smoke run

PostgreSQL at `--postgres` (a role that may create databases); PostGIS is enabled in the
benchmark database with `runuser -u postgres -- psql -c 'CREATE EXTENSION postgis'`, since
only a superuser may create it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from bench.fanout import load
from bench.fanout.synth import Population, incidents, population
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from vecinos.alerts.matching import Listed, match_subscribers
from vecinos.alerts.models import RADII_M, AlertKind, ChannelKind
from vecinos.alerts.outbox_models import Alert, Delivery
from vecinos.alerts.publishing import write_deliveries
from vecinos.crypto import Encryptor
from vecinos.db import make_engine
from vecinos.geo.distance import EARTH_RADIUS_M
from vecinos.incidents.models import Incident
from vecinos.migrations import upgrade

RESULTS = Path(__file__).resolve().parent.parent / "results"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - a throwaway database
POSTGRES = "postgresql+psycopg://vecinos:vecinos@127.0.0.1:5432/"


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def fresh_postgres(base: str, name: str) -> str:
    """Drop and create database `name` (the role needs CREATEDB); returns its URL."""
    with psycopg.connect(load.psycopg_url(base + "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return base + name


# ---- matching three ways ----------------------------------------------------------------


def match_h3(engine: Engine, points: list[tuple[float, float]]) -> tuple[list[float], list[int]]:
    times, counts = [], []
    with Session(engine) as db:
        match_subscribers(db, *points[0], kind=AlertKind.CONFIRMED)  # warm the cache
        for lat, lon in points:
            started = time.perf_counter()
            found = match_subscribers(db, lat, lon, kind=AlertKind.CONFIRMED)
            times.append(time.perf_counter() - started)
            counts.append(len(found))
    return times, counts


def _postgis_bands(columns: str) -> str:
    point = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography"
    return " UNION ALL ".join(
        f"SELECT {columns} FROM bench_subscribers"
        f" WHERE radius_m = {radius} AND ST_DWithin(geog, {point}, {radius}, false)"
        for radius in RADII_M
    )


# One ST_DWithin per radius band, each on its band's partial GiST index (load.into_postgis).
POSTGIS_RECIPIENTS = _postgis_bands("id, channel, language")
POSTGIS_COUNT = f"SELECT sum(n) FROM ({_postgis_bands('count(*) AS n')}) AS bands"


def match_postgis(
    url: str, points: list[tuple[float, float]], query: str = POSTGIS_RECIPIENTS
) -> tuple[list[float], list[int]]:
    """Sphere distances (use_spheroid false), as vecinos' haversine. With the default query
    the recipients come back to the application, as `match_subscribers` returns them."""
    times, counts = [], []
    with psycopg.connect(load.psycopg_url(url)) as connection:
        connection.execute(query, {"lat": points[0][0], "lon": points[0][1]}).fetchall()
        for lat, lon in points:
            started = time.perf_counter()
            rows = connection.execute(query, {"lat": lat, "lon": lon}).fetchall()
            times.append(time.perf_counter() - started)
            counts.append(int(rows[0][0] or 0) if query == POSTGIS_COUNT else len(rows))
    return times, counts


def match_numpy(
    pop: Population, points: list[tuple[float, float]]
) -> tuple[list[float], list[int]]:
    phi, lam = np.radians(pop.lat), np.radians(pop.lon)
    cos_phi, radius = np.cos(phi), pop.radius_m
    times, counts = [], []
    for lat, lon in points:
        started = time.perf_counter()
        p, q = np.radians(lat), np.radians(lon)
        a = np.sin((phi - p) / 2) ** 2 + cos_phi * np.cos(p) * np.sin((lam - q) / 2) ** 2
        inside = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a))) <= radius
        count = int(np.count_nonzero(inside))
        times.append(time.perf_counter() - started)
        counts.append(count)
    return times, counts


# ---- the outbox -------------------------------------------------------------------------


def an_alert(db: Session) -> Alert:
    now = load.NOW
    incident = Incident(
        state="confirmed",
        lat=34.05,
        lon=-118.25,
        h3_cell="-",
        public_cell="-",
        public_lat=34.05,
        public_lon=-118.25,
        activity="other",
        report_count=1,
        source_count=1,
        opened_at=now,
        last_seen_at=now,
        state_changed_at=now,
        verdict="confirmed",
    )
    db.add(incident)
    db.flush()
    alert = Alert(
        incident_id=incident.id,
        kind="confirmed",
        texts={"en": "Bench alert."},
        subjects={"en": "Bench"},
        activity="other",
        public_cell="-",
        public_lat=34.05,
        public_lon=-118.25,
        automatic=True,
        recipient_count=0,
        created_at=now,
        expires_at=now + timedelta(days=3650),
    )
    db.add(alert)
    db.flush()
    return alert


def write_outbox(engine: Engine, rows: int, channel: ChannelKind | None = None) -> float:
    """Publishing's own INSERT of `rows` deliveries, committed, timed."""
    with Session(engine) as db:
        alert = an_alert(db)
        db.commit()
        query = text("SELECT id, channel, language FROM alert_subscriptions ORDER BY id LIMIT :n")
        recipients = [
            Listed(int(r.id), channel or ChannelKind(r.channel), r.language)
            for r in db.execute(query, {"n": rows})
        ]
        started = time.perf_counter()
        write_deliveries(db, alert, recipients, load.NOW)
        db.commit()
        return time.perf_counter() - started


def drain(url: str, workers: int) -> tuple[float, float]:
    """`workers` real worker loops (delivery job only) empty the outbox. Returns the wall time
    including their start-up (imports, connections), and the time from the first delivery
    out to the last."""
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    command = [sys.executable, "-m", "bench.fanout.drain", url, SECRET]
    queued = "SELECT count(*) FROM alert_deliveries WHERE status = 'queued'"
    started = time.perf_counter()
    running = [subprocess.Popen(command, env=env) for _ in range(workers)]
    first_out = None
    with psycopg.connect(load.psycopg_url(url), autocommit=True) as connection:
        total = _count(connection, queued)
        while any(p.poll() is None for p in running):
            if first_out is None and _count(connection, queued) < total:
                first_out = time.perf_counter()
            time.sleep(0.05)
    ended = time.perf_counter()
    return ended - started, ended - (first_out or started)


def _count(connection: psycopg.Connection[Any], query: str) -> int:
    row = connection.execute(query).fetchone()
    return int(row[0]) if row else 0


# ---- the run ----------------------------------------------------------------------------


def outbox_on_postgresql(postgres: str, rows: int, workers: int) -> dict[str, Any]:
    """`rows` subscribers on the log channel in a fresh database, the outbox write of one alert
    to all of them, and its drain by `workers` worker processes."""
    url = fresh_postgres(postgres, "vecinos_bench_outbox")
    app = make_engine(url)
    upgrade(app)
    sealed = Encryptor(SECRET, "subscriber").encrypt("bench-log-contact")
    load.into_vecinos(app, population(rows, seed=11), contact=sealed, channel="log")
    written = write_outbox(app, rows, ChannelKind.LOG)
    wall, sending = drain(url, workers)
    with Session(app) as db:
        query = select(Delivery.status, func.count()).group_by(Delivery.status)
        statuses = {str(status): count for status, count in db.execute(query)}
    app.dispose()
    return {
        "outbox_write_postgresql_s": written,
        "drain_wall_s": wall,
        "drain_sending_s": sending,
        "drained": statuses,
        "drain_per_s": rows / sending,
    }


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
    }


def run(
    subscribers: int, n_incidents: int, outbox_rows: int, workdir: Path, postgres: str
) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    pop = population(subscribers)
    points = incidents(n_incidents)
    result: dict[str, Any] = {
        "subscribers": subscribers,
        "incidents": n_incidents,
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }

    sqlite_file = workdir / "fanout.db"
    sqlite_file.unlink(missing_ok=True)
    sqlite = make_engine(f"sqlite:///{sqlite_file}")
    upgrade(sqlite)
    result["load_sqlite_s"], _ = timed(lambda: load.into_vecinos(sqlite, pop))
    with sqlite.begin() as connection:  # what `PRAGMA optimize` does for a live deployment
        connection.exec_driver_sql("ANALYZE")
    seconds = result["load_sqlite_s"]
    print(f"loaded {subscribers:,} subscribers into SQLite in {seconds:.0f} s", flush=True)

    geo_url = fresh_postgres(postgres, "vecinos_bench_postgis")
    load.ensure_postgis("vecinos_bench_postgis")
    result["load_postgis_s"], _ = timed(lambda: load.into_postgis(geo_url, pop))
    print(f"loaded PostGIS in {result['load_postgis_s']:.0f} s", flush=True)

    h3_times, h3_counts = match_h3(sqlite, points)
    gis_times, gis_counts = match_postgis(geo_url, points)
    count_times, count_counts = match_postgis(geo_url, points, POSTGIS_COUNT)
    np_times, np_counts = match_numpy(pop, points)
    result["matching"] = {
        "h3_sqlite": summary(h3_times),
        "postgis": summary(gis_times),
        "postgis_count_only": summary(count_times),
        "numpy_scan": summary(np_times),
    }
    result["recipients"] = {"median": statistics.median(h3_counts), "max": max(h3_counts)}
    result["agree"] = {
        "h3_vs_numpy": sum(a == b for a, b in zip(h3_counts, np_counts, strict=True)),
        "postgis_vs_numpy_max_diff": max(
            abs(a - b) for a, b in zip(gis_counts + count_counts, np_counts * 2, strict=True)
        ),
    }

    rows = min(outbox_rows, subscribers)
    result["outbox_rows"] = rows
    result["outbox_write_sqlite_s"] = write_outbox(sqlite, rows)
    result |= outbox_on_postgresql(postgres, rows, workers=2)
    result["load_average_at_end"] = os.getloadavg()[0]
    result["verdicts"] = verdicts(result)
    sqlite.dispose()
    return result


# The targets; the matching one is set at 1,000,000 subscribers.
MATCH_MS, OUTBOX_S, DRAIN_PER_S = 200, 5, 5000


def verdicts(result: dict[str, Any]) -> dict[str, bool]:
    h3, postgis = (result["matching"][k]["median_ms"] for k in ("h3_sqlite", "postgis"))
    return {
        f"matching median <= {MATCH_MS} ms": h3 <= MATCH_MS,
        "matching faster than PostGIS": h3 < postgis,
        f"outbox write <= {OUTBOX_S} s on both databases": max(
            result["outbox_write_sqlite_s"], result["outbox_write_postgresql_s"]
        )
        <= OUTBOX_S,
        f"drain >= {DRAIN_PER_S:,}/s with 2 workers": result["drain_per_s"] >= DRAIN_PER_S,
    }


def table(result: dict[str, Any]) -> str:
    m = result["matching"]
    h3 = m["h3_sqlite"]["median_ms"]
    rows, seconds = result["outbox_rows"], result["drain_wall_s"]
    lines = [
        f"subscribers {result['subscribers']:,}, incidents {result['incidents']}",
        f"recipients per incident: median {result['recipients']['median']:,.0f},"
        f" max {result['recipients']['max']:,}",
        "",
        "| matching, per incident | median ms | p95 ms | vs H3 |",
        "|---|---:|---:|---:|",
    ]
    for name, key in NAMES:
        median = m[key]["median_ms"]
        lines.append(f"| {name} | {median:.1f} | {m[key]['p95_ms']:.1f} | {median / h3:.2f}x |")
    lines += [
        "",
        f"outbox write of {rows:,} rows: SQLite {result['outbox_write_sqlite_s']:.2f} s,"
        f" PostgreSQL {result['outbox_write_postgresql_s']:.2f} s",
        f"drain of {rows:,} deliveries to the log channel, 2 workers on PostgreSQL:"
        f" {result['drain_sending_s']:.1f} s from first to last send"
        f" ({result['drain_per_s']:,.0f}/s; {seconds:.1f} s with process start-up),"
        f" final statuses {result['drained']}",
        f"H3 and NumPy agree on {result['agree']['h3_vs_numpy']}/{result['incidents']} incidents;"
        f" PostGIS differs by at most {result['agree']['postgis_vs_numpy_max_diff']} recipients",
        f"load average: {result['load_average_at_start']:.2f} at the start,"
        f" {result['load_average_at_end']:.2f} at the end, on {result['cpus']} CPUs",
        "",
        *(
            f"target {name}: {'met' if met else 'NOT met'}"
            for name, met in result["verdicts"].items()
        ),
    ]
    return "\n".join(lines)


NAMES = (
    ("vecinos H3 on SQLite", "h3_sqlite"),
    ("PostGIS, one ST_DWithin per band (partial GiST)", "postgis"),
    ("PostGIS, the same, counting only (no rows to the app)", "postgis_count_only"),
    ("NumPy full scan", "numpy_scan"),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 subscribers, 10 incidents")
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--incidents", type=int, default=30)
    parser.add_argument("--outbox-rows", type=int, default=100_000)
    parser.add_argument("--postgres", default=POSTGRES, help="server URL ending in /")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "vecinos-bench"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.subscribers, args.incidents, args.outbox_rows = 20_000, 10, 10_000
    result = run(args.subscribers, args.incidents, args.outbox_rows, args.workdir, args.postgres)
    print(table(result))
    RESULTS.mkdir(exist_ok=True)
    name = "fanout-quick.json" if args.quick else f"fanout-{args.subscribers}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS / name}")
