"""Live events between the processes of one deployment, through the database they share.

A service *emits* an event inside its transaction; every process that listens hears it once
that transaction commits, and nobody hears it if it rolls back:

- the emitting process's session hands the event to its own hub when it commits (on SQLite
  that is the only process: the worker runs in it as a thread);
- on PostgreSQL, `emit` is also a `NOTIFY` in the caller's transaction (PostgreSQL itself
  delivers notifications at commit and drops them at rollback), and each process runs one
  `Listener` thread on a connection of its own that `LISTEN`s and hands what arrives from
  other processes to its `Hub`.

The `Hub` fans events out inside a process: to asyncio queues (a board's or an alerts page's
event stream) and to thread waiters (the worker waking up for new deliveries). A payload is
a small JSON object: PostgreSQL caps a notification at 8,000 bytes, so events carry ids and
counts, and a reader loads the rest once per process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from vecinos.db import AtTransactionEnd

log = logging.getLogger("vecinos.events")

QUEUE_LIMIT = 1000  # a reader that stops reading loses events rather than memory
MAX_PAYLOAD_BYTES = 7900  # PostgreSQL refuses notifications of 8,000 bytes and more
# A notification says which process sent it, so that process (which heard it at commit) skips
# it when it comes back.
ORIGIN = uuid.uuid4().hex
ORIGIN_KEY, PAYLOAD_KEY = "from", "event"
RECONNECT_SECONDS = (0.5, 1, 2, 5, 10)


class Topic(StrEnum):
    """What happened; each is one PostgreSQL notification channel."""

    INCIDENTS = "vecinos_incidents"  # an incident opened or changed: dispatcher boards
    ALERTS = "vecinos_alerts"  # an alert was published: public pages and feeds
    OUTBOX = "vecinos_outbox"  # deliveries are due: the delivery worker wakes up
    HOTLINE = "vecinos_hotline"  # a hotline call or its message changed: consoles' panels


# Sent to every local reader when the listener had to reconnect: events may have been lost
# in between, so readers reload what they show (the pages do that on an SSE `ready`).
RESYNC: dict[str, Any] = {"resync": True}


@dataclass(frozen=True)
class Event:
    topic: Topic
    payload: dict[str, Any]


def emit(db: Session, topic: Topic, payload: Mapping[str, Any]) -> None:
    """Tell every process about `payload` once `db`'s transaction commits."""
    note = notification(payload)
    # This process hears its own events at commit, on either database: a page it serves next
    # must not wait for the notification's round trip through PostgreSQL.
    _local.add(db, Event(topic, json.loads(note)[PAYLOAD_KEY]))
    if db.get_bind().dialect.name == "postgresql":
        db.execute(select(func.pg_notify(topic.value, note)))


def notification(payload: Mapping[str, Any], origin: str | None = None) -> str:
    """The text of a NOTIFY: the payload, and which process sent it (this one by default)."""
    note = json.dumps({ORIGIN_KEY: origin or ORIGIN, PAYLOAD_KEY: payload}, separators=(",", ":"))
    if len(note.encode()) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"event payload of {len(note)} bytes: send ids, not documents")
    return note


def _deliver_locally(_: Session, events: list[Event]) -> None:
    for event in events:
        hub.deliver(event.topic, event.payload)


_local = AtTransactionEnd[Event]("events", on_commit=_deliver_locally)


class Subscription:
    """One reader's events, in order, read from the event loop that subscribed."""

    def __init__(self, owner: Hub, topics: frozenset[Topic]) -> None:
        self.topics = topics
        self.queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_LIMIT)
        self.loop = asyncio.get_running_loop()
        self._owner = owner

    async def get(self, timeout: float) -> Event | None:
        """The next event, or None when `timeout` seconds pass without one."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    async def get_until(self, deadline: float) -> Event | None:
        """The next event, or None once the loop's clock reaches `deadline` without one."""
        remaining = deadline - self.loop.time()
        return await self.get(remaining) if remaining > 0 else None

    def close(self) -> None:
        self._owner.forget(self)


def _offer(queues: list[asyncio.Queue[Event]], event: Event) -> None:
    for queue in queues:
        if not queue.full():
            queue.put_nowait(event)


class Hub:
    """Fans a process's events out to its readers, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: set[Subscription] = set()
        # Weakly: a waker lives as long as what waits on it (an app's pre-rendered pages), and
        # a process that builds many apps (the tests) must not keep every one of them awake.
        self._wakers: dict[Topic, weakref.WeakSet[threading.Event]] = {}

    def subscribe(self, *topics: Topic) -> Subscription:
        """Start listening; call from the event loop that will read the subscription."""
        subscription = Subscription(self, frozenset(topics))
        with self._lock:
            self._subscriptions.add(subscription)
        return subscription

    def forget(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)

    def wake_on(self, topic: Topic, waker: threading.Event) -> None:
        """Set `waker` whenever `topic` is heard (a thread waiting for work)."""
        with self._lock:
            self._wakers.setdefault(topic, weakref.WeakSet()).add(waker)

    def deliver(self, topic: Topic, payload: dict[str, Any]) -> None:
        event = Event(topic, payload)
        with self._lock:
            readers = [s for s in self._subscriptions if topic in s.topics]
            wakers = list(self._wakers.get(topic, ()))
        # One wake-up per event loop, whatever its number of readers: each call_soon_threadsafe
        # takes the loop's lock and writes to its wake-up pipe.
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Queue[Event]]] = {}
        for reader in readers:
            by_loop.setdefault(reader.loop, []).append(reader.queue)
        for loop, queues in by_loop.items():
            try:
                loop.call_soon_threadsafe(_offer, queues, event)
            except RuntimeError:  # that loop closed meanwhile: its readers are gone
                continue
        for waker in wakers:
            waker.set()

    def resync(self) -> None:
        for topic in Topic:
            self.deliver(topic, RESYNC)

    def wakers(self, topic: Topic) -> int:
        with self._lock:
            return len(self._wakers.get(topic, ()))

    @property
    def readers(self) -> int:
        with self._lock:
            return len(self._subscriptions)


hub = Hub()  # this process's


class Listener:
    """One thread per process that LISTENs on PostgreSQL and hands what it hears to the hub.

    On its own connection, outside the pool: a listening connection stays open for the life of
    the process. SQLAlchemy has no LISTEN of its own, so the driver's connection is used, as
    SQLAlchemy's documentation shows for it. A lost connection is made again with back-off,
    and readers are told to reload (`RESYNC`), since events may have gone by meanwhile.
    """

    def __init__(self, engine: Engine, target: Hub = hub) -> None:
        self.url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.hub = target
        self.ready = threading.Event()  # set once LISTEN is in place
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="vecinos-events", daemon=True)

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        # Loaded here, in the listener's thread: a SQLite deployment never needs the driver,
        # and the web process answers sooner for not loading it at start-up.
        import psycopg

        failures = 0
        while not self._stop.is_set():
            try:
                self._listen(reconnected=failures > 0)
                failures = 0
            except psycopg.Error as exc:
                self.ready.clear()
                pause = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
                log.warning("event listener lost its connection (%s); again in %s s", exc, pause)
                failures += 1
                self._stop.wait(pause)

    def _listen(self, *, reconnected: bool) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url, autocommit=True) as connection:
            for topic in Topic:
                connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(topic.value)))
            self.ready.set()
            if reconnected:
                self.hub.resync()
            while not self._stop.is_set():
                for note in connection.notifies(timeout=1.0):
                    sent = json.loads(note.payload)
                    if sent[ORIGIN_KEY] != ORIGIN:
                        self.hub.deliver(Topic(note.channel), sent[PAYLOAD_KEY])


# One listener per process and database, however many apps and workers in it ask for one
# (tests run several apps in one process; `vecinos serve` runs the app and its worker).
_listening: dict[str, tuple[Listener, int]] = {}
_listening_lock = threading.Lock()
READY_SECONDS = 10.0


@contextmanager
def listening(engine: Engine) -> Iterator[None]:
    """This process hears other processes' events while inside; nothing to do on SQLite,
    where the one process hears its own events at commit."""
    if engine.dialect.name != "postgresql":
        yield
        return
    key = engine.url.render_as_string(hide_password=False)
    with _listening_lock:
        listener, users = _listening.get(key) or (Listener(engine).start(), 0)
        _listening[key] = (listener, users + 1)
    # Readers that subscribe once this returns hear everything committed from then on.
    listener.ready.wait(READY_SECONDS)
    try:
        yield
    finally:
        with _listening_lock:
            listener, users = _listening[key]
            if users > 1:
                _listening[key] = (listener, users - 1)
            else:
                del _listening[key]
                listener.stop()


def hears_everything(engine: Engine) -> Callable[[], bool]:
    """A check, cheap enough for every request, that this process is hearing every event on
    `engine` right now: always on SQLite (its one process hears its own commits); on
    PostgreSQL while this process's listener has LISTEN in place. Whatever is kept until an
    event says otherwise must not be kept while this says False."""
    if engine.dialect.name != "postgresql":
        return lambda: True
    key = engine.url.render_as_string(hide_password=False)

    def listening_now() -> bool:
        found = _listening.get(key)
        return found is not None and found[0].ready.is_set()

    return listening_now
