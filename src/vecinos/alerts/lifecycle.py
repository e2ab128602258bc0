"""An incident's alerts as one story: each new alert supersedes the ones before it.

- Deliveries of an earlier alert still waiting in the outbox are dropped when a later alert
  of the same incident is published (`cancel_superseded`): nobody gets "being checked" after
  "confirmed", or "confirmed" after "all clear". A delivery a worker is sending right now is
  left to finish, and counts as received.
- Updates, corrections (rumour control) and all-clears go to everyone who received an earlier
  alert of the incident, whatever they opted into (`with_earlier_recipients`); the optional
  kinds a subscriber picked only add notices about incidents they were not told about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from vecinos.alerts.matching import Listed, Recipient
from vecinos.alerts.models import AlertKind, ChannelKind, Subscription, SubscriptionStatus
from vecinos.alerts.outbox_models import Alert, Delivery, DeliveryStatus

# What follows an alert and must reach whoever got it.
FOLLOW_UPS = frozenset({AlertKind.UPDATE, AlertKind.RUMOUR_CONTROL, AlertKind.ALL_CLEAR})
SUPERSEDED = "superseded"


def _in_flight(now: datetime) -> ColumnElement[bool]:
    return and_(Delivery.status == DeliveryStatus.QUEUED.value, Delivery.claimed_until > now)


def cancel_superseded(db: Session, incident_id: int, now: datetime) -> int:
    """Fail the incident's earlier deliveries that are still waiting (not being sent)."""
    earlier = select(Alert.id).where(Alert.incident_id == incident_id)
    waiting = and_(
        Delivery.alert_id.in_(earlier),
        Delivery.status == DeliveryStatus.QUEUED.value,
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= now),
    )
    result = db.execute(
        update(Delivery)
        .where(waiting)
        .values(status=DeliveryStatus.FAILED.value, last_error=SUPERSEDED, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def earlier_recipients(db: Session, incident_id: int, now: datetime) -> list[Listed]:
    """Active subscribers who received an alert of the incident, or are receiving one now."""
    received = or_(
        Delivery.status.in_([DeliveryStatus.SENT.value, DeliveryStatus.DELIVERED.value]),
        _in_flight(now),
    )
    query = (
        select(Subscription.id, Subscription.channel, Subscription.language)
        .join(Delivery, Delivery.subscription_id == Subscription.id)
        .join(Alert, Alert.id == Delivery.alert_id)
        .where(
            Alert.incident_id == incident_id,
            received,
            Subscription.status == SubscriptionStatus.ACTIVE.value,
        )
        .distinct()
    )
    return [
        Listed(id_, ChannelKind(channel), language) for id_, channel, language in db.execute(query)
    ]


def with_earlier_recipients(
    db: Session,
    incident_id: int,
    kind: AlertKind,
    matched: Sequence[Recipient],
    now: datetime,
) -> list[Recipient]:
    """`matched` (the area's subscribers who want `kind`), plus, for a follow-up, everyone
    the incident's earlier alerts reached; one entry per subscriber, by id."""
    if kind not in FOLLOW_UPS:
        return list(matched)
    merged = {r.subscription_id: r for r in matched}
    for recipient in earlier_recipients(db, incident_id, now):
        merged.setdefault(recipient.subscription_id, recipient)
    return list(merged.values())
