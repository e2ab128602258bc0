"""Live incident changes for dispatcher boards, heard once their transaction commits.

Services call `note_change(db, incident, kind)` (or `note`); the change travels as a
`vecinos.events` event on the INCIDENTS topic, so a board served by any process of the
deployment hears what any other process did (a worker's escalation, another web process's
report), and a rollback drops it: a board never shows what did not happen.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from vecinos import events
from vecinos.incidents.models import Incident


@dataclass(frozen=True)
class Change:
    """What a board needs to refresh one row; nothing personal."""

    kind: str  # opened, report_added, state_changed, dispatch
    incident_id: int
    organization_id: int | None
    state: str
    report_count: int
    source_count: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, payload: dict[str, Any]) -> Change:
        return cls(**payload)


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
    """Tell every board about `change` when this session's transaction commits."""
    events.emit(db, events.Topic.INCIDENTS, change.as_dict())
