"""The outbox's bulk INSERT (COPY on PostgreSQL, executemany on SQLite): the rows it writes are
the rows SQLAlchemy would have written, and they belong to the caller's transaction."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import alerts, deliveries, incident, north, subscriber
from tests.cast import Cast
from vecinos.alerts.matching import Listed
from vecinos.alerts.models import AlertKind, ChannelKind
from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.alerts.publishing import NO_EDITS, publish, write_deliveries
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.incidents.models import Incident


class Abandoned(Exception):
    pass


def publish_then(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    incident_id: int,
    extra: list[Listed],
) -> int:
    """Publish, then write `extra` deliveries for the same alert in the same transaction."""
    with transaction(sessions) as db:
        found = db.get(Incident, incident_id)
        assert found is not None
        now = clock.now()
        alert = publish(
            db, found, AlertKind.CONFIRMED, NO_EDITS, now=now, settings=settings, actor_id=None
        )
        write_deliveries(db, alert, extra, now + timedelta(minutes=5))
        # Visible at once to the ORM in the same transaction: it is the same connection.
        count = select(func.count()).where(Delivery.alert_id == alert.id)
        assert db.scalar(count) == alert.recipient_count + len(extra)
        return alert.id


def test_bulk_rows_read_back_as_the_orm_would_have_written_them(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    near = subscriber(sessions, settings, clock, north(100), language="es-MX")
    far = subscriber(sessions, settings, clock, north(9000), channel=ChannelKind.LOG)
    alert_id = publish_then(
        sessions, settings, clock, incident(sessions, cast), [Listed(far, ChannelKind.LOG, "ko")]
    )

    rows = deliveries(db, alert_id)
    assert [(d.subscription_id, d.language) for d in rows] == [(near, "es-MX"), (far, "ko")]
    assert {d.status for d in rows} == {DeliveryStatus.QUEUED}
    assert {d.channel for d in rows} == {ChannelKind.LOG}
    assert all(d.attempts == 0 and d.claim_token is None and d.sent_at is None for d in rows)
    now = clock.now()
    assert rows[0].next_attempt_at == now and rows[0].created_at == now
    assert rows[1].next_attempt_at == now + timedelta(minutes=5)
    assert rows[0].next_attempt_at.tzinfo == UTC  # read back as an aware UTC datetime
    keys = [d.idempotency_key for d in rows]
    assert keys[0].endswith(f"-{alert_id}-{near}") and keys[1].endswith(f"-{alert_id}-{far}")
    assert keys[0].startswith("va-") and len(set(keys)) == 2
    # Stored exactly as the ORM stores the same time (on SQLite: the same string).
    same = text(
        "SELECT count(*) FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id"
        " WHERE d.created_at = a.created_at AND d.alert_id = :alert"
    )
    assert db.scalar(same, {"alert": alert_id}) == 1  # the extra one was written later
    # The due-index query the worker asks finds them: the stored time compares as a time.
    due = select(func.count()).where(Delivery.next_attempt_at <= now + timedelta(minutes=1))
    assert db.scalar(due.where(Delivery.alert_id == alert_id)) == 1


def test_bulk_rows_roll_back_with_the_alert(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    subscriber(sessions, settings, clock, north(100))
    incident_id = incident(sessions, cast)

    def abandoned() -> None:
        with transaction(sessions) as writer:
            found = writer.get(Incident, incident_id)
            assert found is not None
            now = clock.now()
            publish(
                writer,
                found,
                AlertKind.CONFIRMED,
                NO_EDITS,
                now=now,
                settings=settings,
                actor_id=None,
            )
            raise Abandoned  # anything failing later in the same transaction

    with pytest.raises(Abandoned):
        abandoned()
    assert alerts(db) == [] and deliveries(db) == []


def test_a_duplicate_recipient_is_the_database_s_integrity_error(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    again = subscriber(sessions, settings, clock, north(100))
    with pytest.raises(IntegrityError):
        publish_then(
            sessions,
            settings,
            clock,
            incident(sessions, cast),
            [Listed(again, ChannelKind.LOG, "en")],
        )
    assert alerts(db) == [] and deliveries(db) == []
