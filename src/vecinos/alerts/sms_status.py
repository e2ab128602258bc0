"""Twilio's status callback, applied (SMS and WhatsApp alike): a text we sent was delivered,
or failed; a number that cannot take texts at all stops its subscription. The route only
checks the signature."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vecinos.alerts import subscriptions
from vecinos.alerts.outbox_models import Delivery, DeliveryStatus

# Error codes that mean the number itself cannot take texts:
# 21211 invalid 'To', 21614 not a mobile number, 30005 unknown destination, 30006 landline;
# by WhatsApp, 63003 the number has no WhatsApp account, 63024 an invalid recipient.
DEAD_NUMBER_CODES = frozenset({"21211", "21614", "30005", "30006", "63003", "63024"})
FAILED_STATES = frozenset({"failed", "undelivered"})


def apply_status(db: Session, form: Mapping[str, str], *, now: datetime) -> None:
    sid, state = form.get("MessageSid", ""), form.get("MessageStatus", "").lower()
    delivery = db.scalar(select(Delivery).where(Delivery.provider_id == sid)) if sid else None
    if delivery is None or delivery.status not in (DeliveryStatus.SENT, DeliveryStatus.QUEUED):
        return  # unknown, or already final: callbacks may arrive late and out of order
    if state == "delivered":
        _finish(db, delivery, DeliveryStatus.DELIVERED, None, now)
    elif state in FAILED_STATES:
        code = form.get("ErrorCode", "") or state
        _finish(db, delivery, DeliveryStatus.FAILED, f"twilio_{code}"[:120], now)
        if code in DEAD_NUMBER_CODES and delivery.subscription_id is not None:
            subscriptions.disable(db, delivery.subscription_id, now=now)


def _finish(
    db: Session, delivery: Delivery, to: DeliveryStatus, error: str | None, now: datetime
) -> None:
    db.execute(
        update(Delivery)
        .where(Delivery.id == delivery.id)
        .values(status=to.value, last_error=error, finished_at=now)
        .execution_options(synchronize_session=False)
    )
