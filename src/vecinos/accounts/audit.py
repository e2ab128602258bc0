"""The audit log: security-relevant actions, who and when, never where from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.models import AuditEvent


def record(
    db: Session,
    action: str,
    *,
    at: datetime,
    actor_id: int | None = None,
    organization_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    event = AuditEvent(
        at=at, actor_id=actor_id, organization_id=organization_id, action=action, detail=detail
    )
    db.add(event)
    return event


def events_for_organization(
    db: Session, organization_id: int, limit: int = 200
) -> Sequence[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.organization_id == organization_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return db.scalars(query).all()
