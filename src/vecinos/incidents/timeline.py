"""The append-only, hash-chained timeline of an incident.

Each event's hash is SHA-256 over a canonical JSON of its content and the previous event's
hash. Changing, removing or reordering any event breaks every hash after it, which
`verify_chain` reports. The ORM refuses updates and deletes of events outright. Every event's
hash is queued for an RFC 3161 time-stamp in the same transaction (`vecinos.anchoring`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, event, insert, select
from sqlalchemy.orm import Session

from vecinos.anchoring import queue as anchor_queue
from vecinos.anchoring.models import Subject
from vecinos.incidents.models import Incident, TimelineEvent

GENESIS = "0" * 64


def canonical(
    *,
    incident_id: int,
    seq: int,
    kind: str,
    payload: dict[str, Any],
    actor_id: int | None,
    at: datetime,
    prev_hash: str,
) -> bytes:
    content = {
        "incident_id": incident_id,
        "seq": seq,
        "kind": kind,
        "payload": payload,
        "actor_id": actor_id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "prev_hash": prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def hash_of(event_row: TimelineEvent) -> str:
    content = canonical(
        incident_id=event_row.incident_id,
        seq=event_row.seq,
        kind=event_row.kind,
        payload=event_row.payload,
        actor_id=event_row.actor_id,
        at=event_row.at,
        prev_hash=event_row.prev_hash,
    )
    return hashlib.sha256(content).hexdigest()


def append(
    db: Session,
    incident_id: int,
    kind: str,
    payload: dict[str, Any],
    *,
    actor_id: int | None,
    now: datetime,
) -> TimelineEvent:
    """Add an event at the end of the incident's chain (the caller commits)."""
    # Lock the incident row so two appends on PostgreSQL cannot take the same place.
    db.execute(select(Incident.id).where(Incident.id == incident_id).with_for_update())
    db.flush()  # earlier events of this transaction must be visible to the query below
    seq, prev_hash = _tail(db.connection(), incident_id)
    row = TimelineEvent(**_event_values(incident_id, seq, kind, payload, actor_id, now, prev_hash))
    db.add(row)
    anchor_queue.enqueue(db, incident_id, Subject.EVENT, seq, row.hash, now=now)
    return row


@dataclass(frozen=True)
class Tail:
    """The last event of a chain: where the next one attaches."""

    seq: int
    hash: str


START = Tail(0, GENESIS)  # the tail of an incident that has no event yet


def append_row(
    connection: Connection,
    incident_id: int,
    kind: str,
    payload: dict[str, Any],
    *,
    actor_id: int | None,
    now: datetime,
    after: Tail | None = None,
) -> Tail:
    """`append` in one INSERT, for writers that work on the connection (the intake).

    The caller must already hold the incident row (a new incident, or one it has updated in
    this transaction), so nobody can append in between. `after` is the chain's tail when the
    caller knows it; otherwise it is read. Returns the new tail.
    """
    seq, prev_hash = (after.seq + 1, after.hash) if after else _tail(connection, incident_id)
    values = _event_values(incident_id, seq, kind, payload, actor_id, now, prev_hash)
    connection.execute(_INSERT, values)
    anchor_queue.enqueue_row(connection, incident_id, Subject.EVENT, seq, values["hash"], now=now)
    return Tail(seq, values["hash"])


EVENTS = cast(Table, TimelineEvent.__table__)
_INSERT = insert(EVENTS)
_LAST = (
    select(EVENTS.c.seq, EVENTS.c.hash)
    .where(EVENTS.c.incident_id == bindparam("incident_id"))
    .order_by(EVENTS.c.seq.desc())
    .limit(1)
)


def _tail(connection: Connection, incident_id: int) -> tuple[int, str]:
    """The number and hash the next event of this incident takes."""
    last = connection.execute(_LAST, {"incident_id": incident_id}).first()
    return (last[0] + 1, last[1]) if last else (1, GENESIS)


_AS_IS = (str, int, bool, type(None))  # values JSON gives back unchanged


def _event_values(
    incident_id: int,
    seq: int,
    kind: str,
    payload: dict[str, Any],
    actor_id: int | None,
    now: datetime,
    prev_hash: str,
) -> dict[str, Any]:
    # A JSON round trip now, so the hashed payload is exactly what the database gives back
    # (needless for flat text, whole numbers and flags, as the intake's payloads are).
    flat = all(type(k) is str and type(v) in _AS_IS for k, v in payload.items())
    stored = dict(payload) if flat else json.loads(json.dumps(payload))
    at = now.astimezone(UTC)
    content = canonical(
        incident_id=incident_id,
        seq=seq,
        kind=kind,
        payload=stored,
        actor_id=actor_id,
        at=at,
        prev_hash=prev_hash,
    )
    return {
        "incident_id": incident_id,
        "seq": seq,
        "kind": kind,
        "payload": stored,
        "actor_id": actor_id,
        "at": at,
        "prev_hash": prev_hash,
        "hash": hashlib.sha256(content).hexdigest(),
    }


def events_of(db: Session, incident_id: int) -> Sequence[TimelineEvent]:
    query = select(TimelineEvent).where(TimelineEvent.incident_id == incident_id)
    return db.scalars(query.order_by(TimelineEvent.seq)).all()


@dataclass(frozen=True)
class Break:
    """The first event of an incident whose chain does not hold, and why."""

    incident_id: int
    event_id: int
    seq: int
    reason: str


def first_break(events: Iterable[TimelineEvent]) -> Break | None:
    prev_hash, expected_seq = GENESIS, 1
    for row in events:
        reason = None
        if row.seq != expected_seq:
            reason = f"expected event {expected_seq}, found {row.seq} (an event is missing)"
        elif row.prev_hash != prev_hash:
            reason = "does not point at the previous event's hash"
        elif hash_of(row) != row.hash:
            reason = "content does not match its hash (edited)"
        if reason:
            return Break(row.incident_id, row.id, row.seq, reason)
        prev_hash, expected_seq = row.hash, expected_seq + 1
    return None


def verify_incident(db: Session, incident_id: int) -> Break | None:
    return first_break(events_of(db, incident_id))


@event.listens_for(TimelineEvent, "before_update")
@event.listens_for(TimelineEvent, "before_delete")
def _refuse_changes(_mapper: Any, _connection: Any, target: TimelineEvent) -> None:
    raise PermissionError(f"timeline event {target.id} is append-only")
