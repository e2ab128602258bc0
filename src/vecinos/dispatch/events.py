"""Every dispatch step goes on the incident's hash-chained timeline and to live boards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from vecinos.incidents import live, timeline
from vecinos.incidents.models import Incident


def record(
    db: Session,
    incident_id: int,
    kind: str,
    payload: dict[str, Any],
    *,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Append `kind` to the timeline; boards hear of it once the transaction commits."""
    timeline.append(db, incident_id, kind, payload, actor_id=actor_id, now=now)
    incident = db.get(Incident, incident_id)
    if incident is not None:
        live.note_change(db, incident, "dispatch")
