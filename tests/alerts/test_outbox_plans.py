"""The worker's queries use the indexes made for them, on both databases (query plans)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, event, text
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import incident, north, publish_now, subscriber
from tests.cast import Cast
from vecinos.alerts import delivery
from vecinos.alerts.models import ChannelKind
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction


def plan(db: Session, statement: Executable) -> str:
    """What the database would do for `statement`, with its parameters bound as usual."""
    connection = db.connection()
    sqlite = connection.dialect.name == "sqlite"
    if not sqlite:  # a table this small would be read whole; ask what an index could do
        connection.execute(text("SET LOCAL enable_seqscan = off"))

    def explain(*args: Any) -> tuple[str, Any]:
        statement, parameters = args[2], args[3]
        return ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters

    event.listen(connection, "before_cursor_execute", explain, retval=True)
    try:
        rows = connection.execute(statement).all()
    finally:
        event.remove(connection, "before_cursor_execute", explain)
    return "\n".join(str(row[-1]) for row in rows)


def test_the_claim_reads_the_partial_due_index(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast
) -> None:
    for metres in (100, 200, 300):
        subscriber(sessions, settings, clock, north(metres))
    publish_now(sessions, settings, clock, incident(sessions, cast))
    query = delivery.candidates(ChannelKind.LOG, clock.now(), 100)
    with transaction(sessions) as db:
        found = plan(db, query)
    assert "ix_alert_deliveries_due" in found, found
