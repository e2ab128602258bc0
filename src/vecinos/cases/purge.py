"""Closed cases go once their retention window has passed; a legal hold on the incident
keeps them (and keeps them out of the purge for as long as it stands)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from vecinos.accounts import audit
from vecinos.cases.models import CaseStatus, FollowUpCase
from vecinos.config import Settings
from vecinos.evidence.models import LegalHold


def due(db: Session, now: datetime, limit: int) -> list[tuple[int, int]]:
    """(case id, organization id) of closed cases past their window and not held."""
    held = select(LegalHold.incident_id)
    query = (
        select(FollowUpCase.id, FollowUpCase.organization_id)
        .where(
            FollowUpCase.status == CaseStatus.CLOSED.value,
            FollowUpCase.purge_at <= now,
            (FollowUpCase.incident_id.is_(None)) | FollowUpCase.incident_id.not_in(held),
        )
        .order_by(FollowUpCase.purge_at)
        .limit(limit)
    )
    return [(row.id, row.organization_id) for row in db.execute(query)]


def purge_closed(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's job: delete closed cases past `VECINOS_CASE_RETENTION_DAYS`."""
    doomed = due(db, now, settings.worker_batch_size)
    if not doomed:
        return 0
    if db.get_bind().dialect.name == "sqlite":
        db.execute(text("PRAGMA secure_delete = ON"))  # overwrite the freed bytes
    db.execute(delete(FollowUpCase).where(FollowUpCase.id.in_([case for case, _ in doomed])))
    for case_id, organization_id in doomed:
        audit.record(db, "cases.purged", at=now, organization_id=organization_id, case_id=case_id)
    return len(doomed)
