"""The ceiling of this stack: a bare Starlette endpoint that parses the JSON and inserts one row
into SQLite (WAL, as vecinos uses it), in a thread like vecinos' synchronous handlers."""

from __future__ import annotations

import json
import os
import sqlite3
import threading

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DATABASE = os.environ.get("CEILING_DATABASE", "var/bench-ceiling.db")
_local = threading.local()


def _connection() -> sqlite3.Connection:
    connection: sqlite3.Connection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(DATABASE, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=10000")
        connection.execute("CREATE TABLE IF NOT EXISTS reports (id INTEGER PRIMARY KEY, body TEXT)")
        _local.connection = connection
    return connection


def _insert(body: dict[str, object]) -> int:
    connection = _connection()
    connection.execute("BEGIN IMMEDIATE")
    cursor = connection.execute("INSERT INTO reports (body) VALUES (?)", (json.dumps(body),))
    connection.execute("COMMIT")
    return int(cursor.lastrowid or 0)


async def ingest(request: Request) -> JSONResponse:
    body = await request.json()
    report_id = await run_in_threadpool(_insert, body)
    return JSONResponse({"report_id": report_id}, status_code=201)


app = Starlette(routes=[Route("/ingest", ingest, methods=["POST"])])
