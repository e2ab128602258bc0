"""Dispatch's periodic jobs for the worker: each derives its due work from the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.dispatch import offers, shifts
from vecinos.dispatch.escalation import escalate_due
from vecinos.dispatch.models import Shift
from vecinos.errors import Conflict

__all__ = ["close_stale_shifts", "escalate_due"]


def close_stale_shifts(db: Session, now: datetime, settings: Settings) -> int:
    """Shifts someone forgot to end are ended, and where they went is forgotten with them.

    A responder still working an assignment is left alone; a later round catches them.
    """
    cutoff = now - timedelta(hours=settings.dispatch_shift_max_hours)
    stale = db.scalars(
        select(Shift)
        .where(Shift.ended_at.is_(None), Shift.started_at <= cutoff)
        .order_by(Shift.id)
        .limit(settings.worker_batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    closed = 0
    for shift in stale:
        if offers.active_assignment(db, shift.member_id) is not None:
            continue
        offers.release_member(db, shift.member_id, now=now, settings=settings)
        try:
            shifts.check_out(db, shift, now=now)
        except Conflict:  # pragma: no cover - guarded by the check above
            continue
        closed += 1
    return closed
