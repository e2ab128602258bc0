"""The ceiling for texts: a bare Starlette endpoint that parses Twilio's form, inserts one row
into SQLite (WAL) in a thread and answers TwiML, like the intake ceiling does for reports."""

from __future__ import annotations

import os
import sqlite3
import threading

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DATABASE = os.environ.get("CEILING_DATABASE", "var/bench-texts-ceiling.db")
_local = threading.local()
REPLY = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok</Message></Response>'


def _connection() -> sqlite3.Connection:
    connection: sqlite3.Connection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(DATABASE, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=10000")
        connection.execute("CREATE TABLE IF NOT EXISTS texts (id INTEGER PRIMARY KEY, body TEXT)")
        _local.connection = connection
    return connection


def _insert(body: str) -> None:
    connection = _connection()
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO texts (body) VALUES (?)", (body,))
    connection.execute("COMMIT")


async def inbound(request: Request) -> Response:
    form = await request.form()
    await run_in_threadpool(_insert, str(form.get("Body", "")))
    return Response(REPLY, media_type="application/xml")


app = Starlette(routes=[Route("/api/alerts/sms/inbound", inbound, methods=["POST"])])
