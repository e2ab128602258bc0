"""The outbox half of the fan-out benchmark alone: write R deliveries on SQLite and PostgreSQL
with publishing's own `write_deliveries`, then drain them to the log channel with two worker
processes on PostgreSQL. No matching and no PostGIS: about a minute.

    .venv/bin/python -m bench.fanout.outbox                  # 100,000 rows
    .venv/bin/python -m bench.fanout.outbox --rows 10000     # a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from bench.fanout import load
from bench.fanout.run import POSTGRES, RESULTS, SECRET, outbox_on_postgresql, write_outbox
from bench.fanout.synth import population

import vecinos.models  # noqa: F401 - every table, for the ORM
from vecinos.crypto import Encryptor
from vecinos.db import make_engine
from vecinos.migrations import upgrade


def run(rows: int, workdir: Path, postgres: str, workers: int = 2) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"outbox_rows": rows, "load_average_at_start": os.getloadavg()[0]}
    sealed = Encryptor(SECRET, "subscriber").encrypt("bench-log-contact")
    pop = population(rows, seed=11)

    sqlite_file = workdir / "outbox.db"
    sqlite_file.unlink(missing_ok=True)
    sqlite = make_engine(f"sqlite:///{sqlite_file}")
    upgrade(sqlite)
    load.into_vecinos(sqlite, pop, contact=sealed)
    result["outbox_write_sqlite_s"] = write_outbox(sqlite, rows)
    sqlite.dispose()
    print(f"SQLite: {rows:,} rows in {result['outbox_write_sqlite_s']:.2f} s", flush=True)

    result["drain_workers"] = workers
    result |= outbox_on_postgresql(postgres, rows, workers)
    print(f"PostgreSQL: {rows:,} rows in {result['outbox_write_postgresql_s']:.2f} s", flush=True)
    result["load_average_at_end"] = os.getloadavg()[0]
    print(
        f"drain, {workers} workers: {result['drain_per_s']:,.0f}/s"
        f" ({result['drain_sending_s']:.1f} s; {result['drain_wall_s']:.1f} s with start-up),"
        f" final statuses {result['drained']}"
    )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout.outbox", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", default=POSTGRES, help="server URL ending in /")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "vecinos-bench"
    )
    args = parser.parse_args(argv)
    result = run(args.rows, args.workdir, args.postgres, args.workers)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"outbox-{args.rows}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
