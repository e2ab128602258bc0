"""Hearing this process's live events in a test (`vecinos.events`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from vecinos import events
from vecinos.db import is_sqlite
from vecinos.events import Hub, Listener, Topic


class Heard(Hub):
    """A hub that keeps what it is given, for the test to read."""

    def __init__(self) -> None:
        super().__init__()
        self.heard: list[tuple[Topic, dict[str, Any]]] = []
        self.arrived = threading.Condition(threading.RLock())

    def deliver(self, topic: Topic, payload: dict[str, Any]) -> None:
        with self.arrived:
            self.heard.append((topic, payload))
            self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[Topic, dict[str, Any]]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.heard) >= count, timeout)
            return list(self.heard)

    def wait_until(self, test: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Whether `test` came true, checked each time an event arrives, within `timeout`."""
        with self.arrived:
            return self.arrived.wait_for(test, timeout)

    def payloads(self, topic: Topic) -> list[dict[str, Any]]:
        with self.arrived:  # re-entrant: also called inside wait_until's test
            return [payload for heard_topic, payload in self.heard if heard_topic == topic]


def hearing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Heard]:
    """This process's hub, replaced by one that records; on PostgreSQL fed by a listener
    thread on its own connection, as in a process that did not emit the event."""
    target = Heard()
    monkeypatch.setattr(events, "hub", target)
    if is_sqlite(str(engine.url)):
        yield target
        return
    listener = Listener(engine, target).start()
    assert listener.ready.wait(10)
    yield target
    listener.stop()
