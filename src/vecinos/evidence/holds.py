"""Legal holds: an incident under hold keeps all its evidence whatever the retention policy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from vecinos.accounts import audit
from vecinos.evidence.models import LegalHold
from vecinos.incidents import timeline


def place(
    db: Session, incident_id: int, organization_id: int, reason: str, *, actor_id: int | None,
    now: datetime,
) -> LegalHold:  # fmt: skip
    hold = db.get(LegalHold, incident_id)
    if hold is None:
        hold = LegalHold(
            incident_id=incident_id, placed_by_id=actor_id, placed_at=now, reason=reason
        )
        db.add(hold)
        payload = {"reason": reason}
        timeline.append(db, incident_id, "legal_hold_placed", payload, actor_id=actor_id, now=now)
        audit.record(
            db, "evidence.hold_placed", at=now, actor_id=actor_id,
            organization_id=organization_id, incident_id=incident_id,
        )  # fmt: skip
    return hold


def release(
    db: Session, incident_id: int, organization_id: int, *, actor_id: int | None, now: datetime
) -> bool:
    hold = db.get(LegalHold, incident_id)
    if hold is None:
        return False
    db.delete(hold)
    timeline.append(db, incident_id, "legal_hold_released", {}, actor_id=actor_id, now=now)
    audit.record(
        db, "evidence.hold_released", at=now, actor_id=actor_id,
        organization_id=organization_id, incident_id=incident_id,
    )  # fmt: skip
    return True
