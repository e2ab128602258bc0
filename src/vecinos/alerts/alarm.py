"""The alert-volume alarm: more alerts, or more recipients, in a short window than a
coalition ever sends is what a hijacked account looks like. Outgoing deliveries pause (a
hold, `holds`), every organization's audit log says why, and a coordinator who has checked
resumes them. Nothing is lost: the deliveries wait in the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vecinos.alerts import holds
from vecinos.alerts.outbox_models import Alert
from vecinos.alerts.safety_models import HoldReason
from vecinos.config import Settings


def check(db: Session, now: datetime, settings: Settings) -> bool:
    """After an alert is written (in the same transaction): pause deliveries when the window
    holds too much. True when this call started the pause."""
    since = now - timedelta(minutes=settings.alert_alarm_window_minutes)
    count, recipients = db.execute(
        select(func.count(), func.coalesce(func.sum(Alert.recipient_count), 0)).where(
            Alert.created_at > since
        )
    ).one()
    too_many = count > settings.alert_alarm_alerts
    too_wide = recipients > settings.alert_alarm_recipients
    if not (too_many or too_wide) or holds.active_hold(db) is not None:
        return False
    note = (
        f"{count} alerts to {recipients} recipients in "
        f"{settings.alert_alarm_window_minutes} minutes"
    )
    holds.halt(db, now=now, actor_id=None, note=note, reason=HoldReason.ALARM)
    return True
