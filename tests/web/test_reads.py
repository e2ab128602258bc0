"""Reads never queue behind the writer: on SQLite, the public read side and the health check
run in deferred transactions, so a batch of reports holding the write lock does not hold up
the feed, the alerts page or a load balancer's check."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from vecinos.db import is_sqlite

READS = ["/api/alerts/feed.json", "/api/alerts/feed.atom", "/alerts", "/api/health"]


def test_public_reads_answer_while_a_writer_holds_the_lock(
    client: TestClient, engine: Engine
) -> None:
    if not is_sqlite(str(engine.url)):
        pytest.skip("PostgreSQL readers never wait for writers")
    with engine.connect() as writer, writer.begin():  # BEGIN IMMEDIATE: the write lock
        writer.execute(text("UPDATE organizations SET name = name"))
        answers = {path: client.get(path).status_code for path in READS}
    assert answers == dict.fromkeys(READS, 200)
