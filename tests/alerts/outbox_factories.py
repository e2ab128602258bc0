"""Helpers for publishing, outbox and feed tests: subscribers on the log channel, incidents,
the delivery engine sending what is due."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.dispatch.factories import SCENE, make_incident
from vecinos import keyring
from vecinos.alerts import areas, subscriptions
from vecinos.alerts.contacts import Contact
from vecinos.alerts.models import AlertKind, ChannelKind, SubscriptionStatus
from vecinos.alerts.outbox_models import Alert, Delivery
from vecinos.alerts.publishing import NO_EDITS, publish
from vecinos.alerts.sending import DeliveryEngine
from vecinos.alerts.subscriptions import Wants
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.incidents.models import Incident, IncidentState

METRES_PER_DEGREE_LAT = 111_195.0


def north(metres: float, of: tuple[float, float] = SCENE) -> tuple[float, float]:
    return of[0] + metres / METRES_PER_DEGREE_LAT, of[1]


def subscriber(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    at: tuple[float, float],
    *,
    radius_m: int = 2000,
    language: str = "en",
    wants: Wants = Wants(),
    channel: ChannelKind = ChannelKind.LOG,
    contact: str | None = None,
) -> int:
    """An active subscriber (the log channel needs no opt-in); returns its id."""
    value = contact or f"log-{secrets.token_hex(6)}"
    with transaction(sessions) as db:
        made = subscriptions.subscribe(
            db,
            Contact(channel, value, value),
            areas.circle(at[0], at[1], radius_m),
            language,
            wants,
            now=clock.now(),
            settings=settings,
            vault=keyring.subscribers(settings),
        )
        made.subscription.status = SubscriptionStatus.ACTIVE
        return made.subscription.id


def incident(
    sessions: sessionmaker[Session], cast: Cast, state: IncidentState = IncidentState.CONFIRMED
) -> int:
    incident_id = make_incident(sessions, cast, state=state)
    if state in (IncidentState.CONFIRMED, IncidentState.UNFOUNDED):
        with transaction(sessions) as db:
            found = db.get(Incident, incident_id)
            assert found is not None
            found.verdict = state.value
    return incident_id


def publish_now(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    incident_id: int,
    kind: AlertKind = AlertKind.CONFIRMED,
    actor_id: int | None = None,
) -> int:
    with transaction(sessions) as db:
        found = db.get(Incident, incident_id)
        assert found is not None
        now = clock.now()
        alert = publish(db, found, kind, NO_EDITS, now=now, settings=settings, actor_id=actor_id)
        return alert.id


def deliver_round(sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock) -> int:
    """The delivery engine sends what is due now; returns how many the channels accepted."""
    return DeliveryEngine(sessions, settings, clock).drain_now()


def deliveries(db: Session, alert_id: int | None = None) -> list[Delivery]:
    """Deliveries of alerts (of one alert), not the outbox's opt-in messages."""
    db.rollback()  # a fresh snapshot
    query = select(Delivery).order_by(Delivery.subscription_id)
    query = query.where(
        Delivery.alert_id.is_not(None) if alert_id is None else Delivery.alert_id == alert_id
    )
    return list(db.scalars(query))


def alerts(db: Session) -> list[Alert]:
    db.rollback()
    return list(db.scalars(select(Alert).order_by(Alert.id)))
