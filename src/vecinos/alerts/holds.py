"""Stopping every outgoing delivery at once, and starting again, losing nothing.

A coordinator (or `vecinos alerts halt`) halts; the volume alarm pauses on its own. While a
hold lasts the delivery engine claims nothing: deliveries stay queued, unclaimed and unspent,
and resuming sends them as if nothing had happened, none twice.

`may_deliver` is the one question the delivery engine asks, before every claim: what is
already on the wire finishes, nothing more goes until `resume`.
(Approvals need no check there: an alert waiting for approval has no deliveries yet.)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos import events
from vecinos.accounts import audit
from vecinos.accounts.models import Organization
from vecinos.alerts.safety_models import DeliveryHold, HoldReason
from vecinos.errors import Conflict
from vecinos.i18n import N_

NOTE_MAX = 200


def may_deliver(db: Session) -> bool:
    """False while any hold lasts (a halt or the volume alarm): send nothing more."""
    query = select(DeliveryHold.id).where(DeliveryHold.ended_at.is_(None)).limit(1)
    return db.scalar(query) is None


def active_hold(db: Session) -> DeliveryHold | None:
    query = select(DeliveryHold).where(DeliveryHold.ended_at.is_(None))
    return db.scalars(query.order_by(DeliveryHold.started_at)).first()


def halt(
    db: Session,
    *,
    now: datetime,
    actor_id: int | None,
    note: str | None = None,
    reason: HoldReason = HoldReason.HALT,
) -> DeliveryHold:
    """Stop all outgoing deliveries; every organization's audit log says who and when."""
    if active_hold(db) is not None:
        raise Conflict(N_("Outgoing alerts are already stopped."), code="already_halted")
    text = " ".join((note or "").split())[:NOTE_MAX] or None
    hold = DeliveryHold(reason=reason, started_at=now, started_by=actor_id, note=text)
    db.add(hold)
    db.flush()
    _audit_everywhere(db, f"alerts.{reason.value}", now, actor_id, hold_id=hold.id, note=text)
    return hold


def resume(db: Session, *, now: datetime, actor_id: int | None) -> list[DeliveryHold]:
    """End every hold: the deliveries that waited go out, oldest first."""
    holding = list(db.scalars(select(DeliveryHold).where(DeliveryHold.ended_at.is_(None))))
    if not holding:
        raise Conflict(N_("Outgoing alerts are not stopped."), code="not_halted")
    for hold in holding:
        hold.ended_at, hold.ended_by = now, actor_id
    _audit_everywhere(db, "alerts.resumed", now, actor_id, holds=[h.id for h in holding])
    events.emit(db, events.Topic.OUTBOX, {"resumed": True})  # sleeping workers start at once
    return holding


def _audit_everywhere(
    db: Session, action: str, now: datetime, actor_id: int | None, **detail: object
) -> None:
    # A halt stops every organization's alerts: each coordinator's log shows it.
    for organization_id in db.scalars(select(Organization.id)):
        audit.record(
            db, action, at=now, actor_id=actor_id, organization_id=organization_id, **detail
        )
