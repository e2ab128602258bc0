"""The peers of `vecinos serve`: bare Starlette endpoints that parse the JSON and insert one row
into SQLite (WAL, as vecinos uses it). Nothing else: no checks, no clustering, no timeline.

- `app`: one transaction per request, in a thread like a synchronous handler would.
- `grouped`: the same group commit as vecinos' intake (`reports/writer.py`): once per turn of
  the event loop, the rows gathered go to one writer thread as one transaction, and each
  request gets its own id back. This is the fair peer: the same design without the domain.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

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
    return _insert_many([json.dumps(body)])[0]


def _insert_many(bodies: list[str]) -> list[int]:
    connection = _connection()
    connection.execute("BEGIN IMMEDIATE")
    ids = [
        int(connection.execute("INSERT INTO reports (body) VALUES (?)", (body,)).lastrowid or 0)
        for body in bodies
    ]
    connection.execute("COMMIT")
    return ids


async def ingest(request: Request) -> JSONResponse:
    body = await request.json()
    report_id = await run_in_threadpool(_insert, body)
    return JSONResponse({"report_id": report_id}, status_code=201)


class GroupCommit:
    """Rows gathered during one turn of the loop go to the one writer thread together."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._waiting: list[tuple[str, asyncio.Future[int]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def insert(self, body: str) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append((body, future))
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_while_waiting())
        return await future

    async def _write_while_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                await asyncio.sleep(0)  # let this turn's requests join the batch
                batch, self._waiting = self._waiting, []
                try:
                    ids = await loop.run_in_executor(
                        self._thread, _insert_many, [body for body, _ in batch]
                    )
                except Exception as error:  # every request of the batch hears of it
                    for _, future in batch:
                        future.set_exception(error)
                else:
                    for (_, future), report_id in zip(batch, ids, strict=True):
                        future.set_result(report_id)
        finally:
            self._writing = None


_group = GroupCommit()


async def ingest_grouped(request: Request) -> JSONResponse:
    body = await request.json()
    report_id = await _group.insert(json.dumps(body))
    return JSONResponse({"report_id": report_id}, status_code=201)


app = Starlette(routes=[Route("/ingest", ingest, methods=["POST"])])
grouped = Starlette(routes=[Route("/ingest", ingest_grouped, methods=["POST"])])
