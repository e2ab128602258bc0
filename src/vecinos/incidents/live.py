"""Live incident changes for dispatcher boards, published only once their transaction commits.

Services call `note_change(db, incident, kind)` (or `note`); when that session commits, the
changes go to the broadcaster, and a rollback drops them, so a board never shows what did not
happen.
`Broadcaster` is the small interface a PostgreSQL LISTEN/NOTIFY implementation can replace;
the in-process one serves a single process (the default deployment).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from vecinos.db import AtTransactionEnd
from vecinos.incidents.models import Incident

QUEUE_LIMIT = 1000  # a board that stops reading loses events rather than memory


@dataclass(frozen=True)
class Change:
    """What a board needs to refresh one row; nothing personal."""

    kind: str  # opened, report_added, state_changed
    incident_id: int
    organization_id: int | None
    state: str
    report_count: int
    source_count: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Subscription(Protocol):
    async def get(self, timeout: float) -> Change | None:
        """The next change, or None when `timeout` seconds pass without one."""
        ...

    def close(self) -> None: ...


class Broadcaster(Protocol):
    def publish(self, change: Change) -> None: ...

    def subscribe(self) -> Subscription:
        """Start listening; call from the event loop that will read the subscription."""
        ...


class _QueueSubscription:
    def __init__(self, owner: InProcessBroadcaster) -> None:
        self.queue: asyncio.Queue[Change] = asyncio.Queue(QUEUE_LIMIT)
        self.loop = asyncio.get_running_loop()
        self._owner = owner

    async def get(self, timeout: float) -> Change | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        self._owner.forget(self)


class InProcessBroadcaster:
    """Fans changes out to one asyncio queue per listening board, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: set[_QueueSubscription] = set()

    def publish(self, change: Change) -> None:
        with self._lock:
            listeners = list(self._subscriptions)
        for sub in listeners:
            if not sub.loop.is_closed():
                sub.loop.call_soon_threadsafe(_offer, sub.queue, change)

    def subscribe(self) -> Subscription:
        sub = _QueueSubscription(self)
        with self._lock:
            self._subscriptions.add(sub)
        return sub

    def forget(self, sub: _QueueSubscription) -> None:
        with self._lock:
            self._subscriptions.discard(sub)

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._subscriptions)


class Collector:
    """Keeps the changes instead of sending them: the intake writer process has no boards
    listening, so it hands its changes to the web process, which publishes them."""

    def __init__(self) -> None:
        self._changes: list[Change] = []

    def publish(self, change: Change) -> None:
        self._changes.append(change)

    def subscribe(self) -> Subscription:
        raise RuntimeError("no board listens in this process")

    def take(self) -> list[Change]:
        """The changes published since the last call."""
        taken, self._changes = self._changes, []
        return taken


def _offer(queue: asyncio.Queue[Change], change: Change) -> None:
    if not queue.full():
        queue.put_nowait(change)


broadcaster: Broadcaster = InProcessBroadcaster()


def note_change(db: Session, incident: Incident, kind: str) -> None:
    note(
        db,
        Change(
            kind=kind,
            incident_id=incident.id,
            organization_id=incident.organization_id,
            state=str(incident.state),
            report_count=incident.report_count,
            source_count=incident.source_count,
        ),
    )


def note(db: Session, change: Change) -> None:
    """Publish `change` when this session's transaction commits (dropped on rollback)."""
    _changes.add(db, change)


def _publish(_: Session, changes: list[Change]) -> None:
    for change in changes:
        broadcaster.publish(change)


_changes = AtTransactionEnd[Change]("incident_changes", on_commit=_publish)
