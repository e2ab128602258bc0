"""Publishing: the alert and its deliveries in one transaction, only to the right people."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import (
    alerts,
    deliveries,
    incident,
    north,
    publish_now,
    subscriber,
)
from tests.cast import Cast
from tests.dispatch.factories import SCENE, timeline_kinds
from vecinos.alerts.composing import Edits
from vecinos.alerts.models import AlertKind
from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.alerts.outgoing import text_for
from vecinos.alerts.publishing import publish
from vecinos.alerts.subscriptions import Wants
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.errors import Conflict
from vecinos.incidents.models import Incident, IncidentState
from vecinos.scrubber import TextRefused

CONFIRMED = AlertKind.CONFIRMED
ALL = Wants(rumour_control=True, all_clear=True)


def test_a_confirmed_alert_queues_one_delivery_per_inside_subscriber(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    inside = subscriber(sessions, settings, clock, north(500))
    spanish = subscriber(sessions, settings, clock, north(1500), language="es")
    outside = subscriber(sessions, settings, clock, north(4000))
    incident_id = incident(sessions, cast)
    alert_id = publish_now(sessions, settings, clock, incident_id)

    rows = deliveries(db, alert_id)
    assert [d.subscription_id for d in rows] == [inside, spanish]
    assert outside not in [d.subscription_id for d in rows]
    assert {d.status for d in rows} == {DeliveryStatus.QUEUED}
    assert [d.language for d in rows] == ["en", "es"]
    assert len({d.idempotency_key for d in rows}) == 2
    (alert,) = alerts(db)
    assert alert.recipient_count == 2 and alert.automatic  # the worker published it
    assert alert.expires_at > alert.created_at
    assert set(alert.texts) == {"en", "es"} and "CONFIRMADO" in alert.texts["es"]
    assert "alert.published" in timeline_kinds(db, incident_id)


def test_the_public_place_is_the_coarse_one(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    incident_id = incident(sessions, cast)
    with transaction(sessions) as writer:
        found = writer.get(Incident, incident_id)
        assert found is not None
        found.public_lat, found.public_lon = 34.05, -118.24  # a cell centre, not the scene
    publish_now(sessions, settings, clock, incident_id)
    (alert,) = alerts(db)
    assert (alert.public_lat, alert.public_lon) == (34.05, -118.24)
    assert str(SCENE[0]) not in alert.texts["en"]


def test_rumour_control_reaches_only_those_who_asked(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    asked = subscriber(sessions, settings, clock, north(300), wants=ALL)
    subscriber(sessions, settings, clock, north(300))  # confirmed alerts only
    incident_id = incident(sessions, cast, IncidentState.UNFOUNDED)
    alert_id = publish_now(sessions, settings, clock, incident_id, AlertKind.RUMOUR_CONTROL)
    assert [d.subscription_id for d in deliveries(db, alert_id)] == [asked]


def test_kinds_must_fit_the_incident(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast
) -> None:
    verifying = incident(sessions, cast, IncidentState.VERIFYING)
    with pytest.raises(Conflict) as refused:
        publish_now(sessions, settings, clock, verifying, AlertKind.CONFIRMED)
    assert refused.value.code == "alert_kind_not_allowed"
    with pytest.raises(Conflict) as automatic:  # an unconfirmed notice is never automatic
        publish_now(sessions, settings, clock, verifying, AlertKind.UNCONFIRMED)
    assert automatic.value.code == "not_auto"
    confirmed = incident(sessions, cast)
    publish_now(sessions, settings, clock, confirmed)
    with pytest.raises(Conflict) as twice:
        publish_now(sessions, settings, clock, confirmed)
    assert twice.value.code == "alert_already_published"


def test_refused_text_writes_nothing(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    subscriber(sessions, settings, clock, north(100))
    incident_id = incident(sessions, cast)
    texts = Edits({"en": "Agents at 1234 E 1st St, call 213-555-0142", "es": "Agentes"})

    def refused() -> None:
        with transaction(sessions) as writer:
            found = writer.get(Incident, incident_id)
            assert found is not None
            now = clock.now()
            dario = cast.dario.member_id
            publish(writer, found, CONFIRMED, texts, now=now, settings=settings, actor_id=dario)

    with pytest.raises(TextRefused) as found:
        refused()
    kinds = {f["kind"] for f in found.value.details["findings"]}
    assert kinds == {"address", "phone"} and found.value.details["language"] == "en"
    assert alerts(db) == [] and deliveries(db) == []


def test_one_delivery_per_recipient_is_enforced_by_the_database(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    subscriber(sessions, settings, clock, north(100))
    alert_id = publish_now(sessions, settings, clock, incident(sessions, cast))
    (first,) = deliveries(db, alert_id)
    with pytest.raises(IntegrityError), transaction(sessions) as writer:
        writer.add(
            Delivery(
                alert_id=alert_id,
                subscription_id=first.subscription_id,
                channel=first.channel,
                language="en",
                status=DeliveryStatus.QUEUED,
                attempts=0,
                next_attempt_at=clock.now(),
                idempotency_key="another-key",
                created_at=clock.now(),
            )
        )
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Delivery)) == 1


def test_every_reader_has_a_text_and_an_edit_speaks_for_its_regional_variants(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    subscriber(sessions, settings, clock, north(100), language="ko")
    subscriber(sessions, settings, clock, north(200), language="es-MX")
    incident_id = incident(sessions, cast)
    edited = "Actividad confirmada cerca del mercado. No abra la puerta."

    def publish_edited() -> None:
        with transaction(sessions) as writer:
            found = writer.get(Incident, incident_id)
            assert found is not None
            now, dario = clock.now(), cast.dario.member_id
            edits = Edits({"es": edited})
            publish(writer, found, CONFIRMED, edits, now=now, settings=settings, actor_id=dario)

    publish_edited()
    (alert,) = alerts(db)
    assert alert.texts["es"] == edited and "es-MX" not in alert.texts  # the edit covers it
    assert "ko" in alert.texts and "자원봉사자 확인" in alert.texts["ko"]  # its own template
    assert alert.texts["ko"] != alert.texts["en"]
    assert text_for(alert, "es-MX") == ("es", edited)
    assert set(alert.subjects) >= {"en", "es", "ko"}
