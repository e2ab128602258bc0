"""Queue a hash for time-stamping, in the caller's transaction (the outbox pattern).

The timeline calls this for every event it appends, the evidence domain for every original it
completes; the worker (`stamping.stamp_due`) does the asking, whenever the authority answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, insert
from sqlalchemy.orm import Session

from vecinos.anchoring.models import AnchorState, Subject, TimeAnchor

ANCHORS = cast(Table, TimeAnchor.__table__)
_INSERT = insert(ANCHORS)


def _values(
    incident_id: int, subject: Subject, ref: int, sha256: str, now: datetime
) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "subject": subject.value,
        "ref": ref,
        "sha256": sha256,
        "state": AnchorState.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "token": None,
        "stamped_at": None,
        "last_error": None,
    }


def enqueue(
    db: Session, incident_id: int, subject: Subject, ref: int, sha256: str, *, now: datetime
) -> None:
    db.add(TimeAnchor(**_values(incident_id, subject, ref, sha256, now)))


def enqueue_row(
    connection: Connection,
    incident_id: int,
    subject: Subject,
    ref: int,
    sha256: str,
    *,
    now: datetime,
) -> None:
    """`enqueue` in one INSERT, for writers that work on the connection (the intake)."""
    connection.execute(_INSERT, _values(incident_id, subject, ref, sha256, now))
