"""The append-only, hash-chained timeline of an incident.

Each event's hash is SHA-256 over a canonical JSON of its content and the previous event's
hash. Changing, removing or reordering any event breaks every hash after it, which
`verify_chain` reports. The ORM refuses updates and deletes of events outright.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

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
    last = db.execute(
        select(TimelineEvent.seq, TimelineEvent.hash)
        .where(TimelineEvent.incident_id == incident_id)
        .order_by(TimelineEvent.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    # A JSON round trip now, so the hashed payload is exactly what the database gives back.
    stored = json.loads(json.dumps(payload))
    row = TimelineEvent(
        incident_id=incident_id,
        seq=seq,
        kind=kind,
        payload=stored,
        actor_id=actor_id,
        at=now.astimezone(UTC),
        prev_hash=prev_hash,
    )
    row.hash = hash_of(row)
    db.add(row)
    return row


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
