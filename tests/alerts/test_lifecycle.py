"""After subscribing: lapsed opt-ins are purged, a dead contact is disabled, never matched."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.factories import HERE, counts, subscribe
from vecinos.alerts import subscriptions
from vecinos.alerts.matching import match_subscribers
from vecinos.alerts.models import AlertKind, Subscription, SubscriptionStatus
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction

PUSH = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": {"p256dh": "p", "auth": "a"}}


def test_lapsed_pending_subscriptions_are_purged_with_their_messages(
    client: TestClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
    settings: Settings,
) -> None:
    subscribe(client)  # pending, SMS
    subscribe(client, channel="push", contact=None, push_subscription=PUSH)  # active
    with transaction(sessions) as writer:
        assert subscriptions.purge_lapsed(writer, now=clock.now()) == 0
    later = clock.now() + timedelta(minutes=settings.alert_confirm_minutes)
    with transaction(sessions) as writer:
        assert subscriptions.purge_lapsed(writer, now=later) == 1
    db.rollback()
    assert db.scalars(select(Subscription.channel)).all() == ["push"]
    left = counts(db)
    assert left == (1, 0, 0)  # its opt-in message went with it; circles keep no cell rows


def test_a_disabled_subscription_is_never_matched(
    client: TestClient, db: Session, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    subscribe(client, channel="push", contact=None, push_subscription=PUSH)
    with transaction(sessions) as writer:
        (found,) = match_subscribers(writer, *HERE, kind=AlertKind.CONFIRMED)
        subscriptions.disable(writer, found.subscription_id, now=clock.now())
    with transaction(sessions) as writer:
        assert match_subscribers(writer, *HERE, kind=AlertKind.CONFIRMED) == []
    db.rollback()
    assert db.scalars(select(Subscription.status)).one() == SubscriptionStatus.DISABLED
