"""Live events: heard by every listening process once the emitting transaction commits, never
when it rolls back, and a listener that loses its connection comes back and says so."""

from __future__ import annotations

import gc
import threading

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.events_helpers import Heard
from vecinos import events
from vecinos.db import is_sqlite, make_engine, transaction
from vecinos.events import Hub, Listener, Topic


def test_an_event_is_heard_after_commit_and_never_after_rollback(
    sessions: sessionmaker[Session], heard: Heard
) -> None:
    def failing() -> None:
        with transaction(sessions) as db:
            events.emit(db, Topic.INCIDENTS, {"incident_id": 1})
            raise RuntimeError("the transaction fails")

    with pytest.raises(RuntimeError):
        failing()
    with transaction(sessions) as db:
        events.emit(db, Topic.INCIDENTS, {"incident_id": 2})
        events.emit(db, Topic.ALERTS, {"alert_id": 7})
        assert heard.heard == []  # not before the commit
    assert heard.wait_for(2) == [
        (Topic.INCIDENTS, {"incident_id": 2}),
        (Topic.ALERTS, {"alert_id": 7}),
    ]


def test_a_payload_too_large_for_a_notification_is_refused(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as db, pytest.raises(ValueError, match="send ids"):
        events.emit(db, Topic.ALERTS, {"texts": "x" * 8000})


def test_readers_wait_on_their_topics_only() -> None:
    hub = Hub()
    outbox, alerts = threading.Event(), threading.Event()
    hub.wake_on(Topic.OUTBOX, outbox)
    hub.wake_on(Topic.ALERTS, alerts)
    hub.deliver(Topic.OUTBOX, {"alert_id": 3})
    assert outbox.is_set() and not alerts.is_set()


def test_a_waker_goes_with_whatever_waited_on_it() -> None:
    hub = Hub()
    kept, dropped = threading.Event(), threading.Event()
    hub.wake_on(Topic.ALERTS, kept)
    hub.wake_on(Topic.ALERTS, dropped)
    del dropped  # an app's pre-rendered pages, gone with the app
    gc.collect()
    assert hub.wakers(Topic.ALERTS) == 1
    hub.deliver(Topic.ALERTS, {"alert_id": 1})
    assert kept.is_set()


def test_a_listener_that_loses_its_connection_listens_again_and_asks_for_a_resync(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    if is_sqlite(str(engine.url)):
        pytest.skip("SQLite: one process, no listener")
    target = Heard()
    listener = Listener(engine, target).start()
    try:
        assert listener.ready.wait(10)
        admin = make_engine(str(engine.url.render_as_string(hide_password=False)))
        with admin.begin() as connection:  # what a restart or a failover does to it
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
                )
            )
        admin.dispose()
        resyncs = target.wait_for(len(Topic))
        assert {topic for topic, payload in resyncs if payload == events.RESYNC} == set(Topic)
        assert listener.ready.wait(10)
        with transaction(sessions) as db:  # from another process (this one hears its own)
            note = events.notification({"alert_id": 9}, origin="another process")
            db.execute(select(func.pg_notify(Topic.OUTBOX.value, note)))
        assert (Topic.OUTBOX, {"alert_id": 9}) in target.wait_for(len(Topic) + 1)
    finally:
        listener.stop()


def test_the_emitting_process_hears_its_event_at_commit_and_only_once(
    engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    heard = Heard()
    monkeypatch.setattr(events, "hub", heard)
    listener = Listener(engine, heard).start() if not is_sqlite(str(engine.url)) else None
    try:
        assert listener is None or listener.ready.wait(10)
        with transaction(sessions) as db:
            events.emit(db, Topic.ALERTS, {"alert_id": 7})
            assert heard.heard == []  # nothing before the commit
        assert heard.heard == [(Topic.ALERTS, {"alert_id": 7})]  # at once, no round trip
        if listener is not None:  # its own notification comes back, and is skipped
            with transaction(sessions) as db:
                note = events.notification({"alert_id": 8}, origin="another process")
                db.execute(select(func.pg_notify(Topic.ALERTS.value, note)))
            assert heard.wait_for(2)[1:] == [(Topic.ALERTS, {"alert_id": 8})]
    finally:
        if listener is not None:
            listener.stop()
