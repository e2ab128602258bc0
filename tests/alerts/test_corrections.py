"""Corrections and all-clears reach everyone who received an earlier alert of the incident,
whatever they opted into; an earlier alert still waiting in the outbox is dropped, never sent
after the news that replaced it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import (
    deliver_round,
    deliveries,
    incident,
    north,
    publish_now,
    subscriber,
)
from tests.cast import Cast
from vecinos.alerts import subscriptions
from vecinos.alerts.composing import Edits
from vecinos.alerts.models import AlertKind
from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.alerts.publishing import preview
from vecinos.alerts.subscriptions import Wants
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.incidents.models import Incident, IncidentState


def move(sessions: sessionmaker[Session], incident_id: int, state: IncidentState) -> None:
    with transaction(sessions) as db:
        found = db.get(Incident, incident_id)
        assert found is not None
        found.state = state
        if state in (IncidentState.CONFIRMED, IncidentState.UNFOUNDED):
            found.verdict = state.value


def receivers(db: Session, alert_id: int) -> list[int]:
    return [d.subscription_id or 0 for d in deliveries(db, alert_id)]


def test_an_all_clear_reaches_everyone_the_alert_reached_whatever_they_asked_for(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    told = subscriber(sessions, settings, clock, north(300))  # default: no optional kinds
    stopped = subscriber(sessions, settings, clock, north(200))
    incident_id = incident(sessions, cast)
    confirmed = publish_now(sessions, settings, clock, incident_id)
    deliver_round(sessions, settings, clock)
    assert {d.status for d in deliveries(db, confirmed)} == {DeliveryStatus.DELIVERED}
    with transaction(sessions) as writer:  # a text the provider took but did not confirm yet
        writer.execute(
            update(Delivery)
            .where(Delivery.alert_id == confirmed, Delivery.subscription_id == told)
            .values(status=DeliveryStatus.SENT.value)
        )
    with transaction(sessions) as writer:  # told, then unsubscribed: hears nothing more
        subscriptions.disable(writer, stopped, now=clock.now())
    later = subscriber(sessions, settings, clock, north(400))  # subscribed after: never told
    asked = subscriber(sessions, settings, clock, north(500), wants=Wants(all_clear=True))
    move(sessions, incident_id, IncidentState.ENDED)
    clear = publish_now(sessions, settings, clock, incident_id, AlertKind.ALL_CLEAR)
    assert receivers(db, clear) == [told, asked]
    assert later not in receivers(db, clear) and stopped not in receivers(db, clear)


def test_rumour_control_reaches_the_notices_readers_even_outside_its_area(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    near = subscriber(sessions, settings, clock, north(300))
    incident_id = incident(sessions, cast, IncidentState.VERIFYING)
    notice = publish_now(
        sessions, settings, clock, incident_id, AlertKind.UNCONFIRMED, cast.dario.member_id
    )
    deliver_round(sessions, settings, clock)
    asked_elsewhere = subscriber(sessions, settings, clock, north(9000), wants=Wants(True, True))
    move(sessions, incident_id, IncidentState.UNFOUNDED)
    with transaction(sessions) as writer:
        found = writer.get(Incident, incident_id)
        assert found is not None
        seen = preview(
            writer,
            found,
            AlertKind.RUMOUR_CONTROL,
            Edits(),
            settings=settings,
            now=clock.now(),
        )
    assert seen.recipients == 1  # the preview counts the notice's reader
    rumour = publish_now(sessions, settings, clock, incident_id, AlertKind.RUMOUR_CONTROL)
    assert receivers(db, notice) == [near]
    assert receivers(db, rumour) == [near] and asked_elsewhere not in receivers(db, rumour)


def test_a_waiting_earlier_alert_is_dropped_and_a_sending_one_counts_as_received(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    waiting = subscriber(sessions, settings, clock, north(300))
    sending = subscriber(sessions, settings, clock, north(400))
    incident_id = incident(sessions, cast)
    confirmed = publish_now(sessions, settings, clock, incident_id)
    lease = clock.now() + timedelta(seconds=settings.alert_claim_seconds)
    with transaction(sessions) as writer:  # a worker is on the wire with one of them
        writer.execute(
            update(Delivery)
            .where(Delivery.alert_id == confirmed, Delivery.subscription_id == sending)
            .values(claim_token="t" * 32, claimed_until=lease, attempts=1)
        )
    move(sessions, incident_id, IncidentState.ENDED)
    clear = publish_now(sessions, settings, clock, incident_id, AlertKind.ALL_CLEAR)
    by_subscriber = {d.subscription_id: d for d in deliveries(db, confirmed)}
    assert by_subscriber[waiting].status == DeliveryStatus.FAILED
    assert by_subscriber[waiting].last_error == "superseded"
    assert by_subscriber[sending].status == DeliveryStatus.QUEUED  # left to its worker
    assert receivers(db, clear) == [sending]  # the one who got the alert gets its end
