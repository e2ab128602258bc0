"""Done when: residents subscribe (SMS, e-mail, Web Push; English and Spanish; inside and
outside the area), a report is verified and confirmed through the real routes, the worker
runs, and exactly the inside subscribers get the alert in their language through real local
servers; a false alarm sends rumour control to those who asked for it, and only to them.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from py_vapid import Vapid02
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from tests.alerts import servers
from tests.alerts.factories import link_token, sms_code, subscribe
from tests.alerts.outbox_factories import alerts, deliveries
from tests.alerts.servers import HttpStandIn, Mailbox, PushInbox
from tests.cast import Cast
from tests.dispatch.factories import client_for, on_shift
from tests.reports.factories import add_zones
from tests.reports.factories import body as report_body
from vecinos.alerts.outbox_models import DeliveryStatus
from vecinos.alerts.sending import DeliveryEngine
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.reports.models import Report
from vecinos.worker.runner import Worker

SCENE = (34.0500, -118.2500)  # in Eastside's zone
FALSE_ALARM = (34.0590, -118.2500)  # 1 km north: a separate incident, same neighbourhood
FAR = (34.0500, -118.4000)  # 14 km west: outside every 2 km circle here
CONFIRM = "/api/alerts/subscriptions/confirm"


@pytest.fixture
def twilio() -> Iterator[HttpStandIn]:
    with HttpStandIn(servers.twilio_responder) as server:
        yield server


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Mailbox, int, Path]]:
    with servers.smtp_server(tmp_path) as running:
        yield running


@pytest.fixture
def push(clock: FrozenClock) -> Iterator[tuple[PushInbox, HttpStandIn]]:
    inbox = PushInbox(now=clock.now)
    with HttpStandIn(inbox) as service:
        inbox.origin = service.url
        yield inbox, service


@pytest.fixture
def settings(
    settings: Settings,
    twilio: HttpStandIn,
    smtp: tuple[Mailbox, int, Path],
    push: tuple[PushInbox, HttpStandIn],
) -> Settings:
    """Every channel pointed at its local server (the app reads these same settings)."""
    vapid = Vapid02()
    vapid.generate_keys()
    _, port, ca = smtp
    changes: dict[str, Any] = {
        "twilio_base_url": twilio.url,
        "twilio_account_sid": servers.TWILIO_SID,
        "twilio_auth_token": SecretStr(servers.TWILIO_TOKEN),
        "twilio_from_number": "+12135550100",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_username": servers.SMTP_USER,
        "smtp_password": SecretStr(servers.SMTP_PASSWORD),
        "smtp_from": "alerts@vecinos.test",
        "smtp_ca_file": ca,
        "vapid_private_key": SecretStr(vapid.private_pem().decode()),
        "vapid_subject": "mailto:ops@vecinos.test",
        "outbound_allow_http": True,  # the local push service speaks plain http
        "outbound_allow_private": True,  # … on 127.0.0.1, as do Twilio's and the SMTP stand-ins
        "push_services": "127.0.0.1",
    }
    for name, value in changes.items():
        setattr(settings, name, value)
    return settings


def area(at: tuple[float, float]) -> dict[str, Any]:
    return {"lat": at[0], "lon": at[1], "radius_m": 2000}


def sms(client: TestClient, db: Session, settings: Settings, number: str, **fields: Any) -> None:
    made = subscribe(client, channel="sms", contact=number, **fields)
    code = sms_code(db, settings)
    confirmed = client.post(CONFIRM, json={"handle": made["handle"], "code": code})
    assert confirmed.status_code == 200, confirmed.text


def mail(client: TestClient, db: Session, settings: Settings, address: str, **fields: Any) -> None:
    subscribe(client, channel="email", contact=address, **fields)
    confirmed = client.post(f"{CONFIRM}-link", json={"token": link_token(db, settings)})
    assert confirmed.status_code == 200, confirmed.text


def residents(client: TestClient, db: Session, settings: Settings, inbox: PushInbox) -> None:
    inside, outside = area(SCENE), area(FAR)
    sms(client, db, settings, "+12135550142", language="en", area=inside, wants_rumour_control=True)
    sms(client, db, settings, "+12135550143", language="es", area=inside)
    sms(
        client, db, settings, "+12135550144", language="es", area=outside, wants_rumour_control=True
    )
    mail(client, db, settings, "inside@example.org", language="en", area=inside)
    mail(client, db, settings, "outside@example.org", language="es", area=outside)
    endpoint = inbox.subscription(f"{inbox.origin}/push/inside")
    subscribe(
        client,
        channel="push",
        contact=None,
        push_subscription=endpoint,
        language="es-MX",
        area=inside,
    )


def report(client: TestClient, db: Session, at: tuple[float, float]) -> int:
    """A resident's report through the public form; the incident it opened (the public answer
    does not say, so the test looks)."""
    made = client.post("/api/reports", json=report_body(at))
    assert made.status_code == 201, made.text
    db.rollback()
    incident_id = db.scalar(select(Report.incident_id).where(Report.id == made.json()["report_id"]))
    assert incident_id is not None
    return incident_id


def verify_on_scene(app: FastAPI, cast: Cast, dario: TestClient, incident_id: int) -> None:
    """A dispatcher asks for verification, a responder accepts and confirms on the scene."""
    assert dario.post(f"/api/incidents/{incident_id}/dispatch", json={}).status_code == 201
    with client_for(app, cast, cast.rosa) as rosa:
        offer_id = rosa.get("/api/offers").json()[0]["id"]
        assert rosa.post(f"/api/offers/{offer_id}/accept").status_code == 200
        found = rosa.post(f"/api/offers/{offer_id}/finding", json={"finding": "confirmed"})
        assert found.status_code == 200, found.text


def run_worker(sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock) -> None:
    clock.advance(seconds=settings.alert_hold_seconds)  # nobody published by hand
    Worker(sessions, settings, clock).tick()  # publishes
    DeliveryEngine(sessions, settings, clock).drain_now()  # sends


def texts_sent(twilio: HttpStandIn) -> dict[str, str]:
    sent = [{k: v[0] for k, v in parse_qs(s.body.decode()).items()} for s in twilio.seen]
    return {form["To"]: form["Body"] for form in sent}


def test_confirmed_alert_reaches_exactly_the_inside_subscribers_in_their_language(
    app: FastAPI,
    client: TestClient,
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    twilio: HttpStandIn,
    smtp: tuple[Mailbox, int, Path],
    push: tuple[PushInbox, HttpStandIn],
) -> None:
    inbox, _ = push
    mailbox = smtp[0]
    add_zones(sessions, cast)
    on_shift(sessions, cast, cast.rosa, (SCENE[0] + 0.002, SCENE[1]))
    residents(client, db, settings, inbox)
    incident_id = report(client, db, SCENE)
    with client_for(app, cast, cast.dario) as dario:
        verify_on_scene(app, cast, dario, incident_id)
    run_worker(sessions, settings, clock)

    sent = texts_sent(twilio)
    assert sorted(sent) == ["+12135550142", "+12135550143"]
    assert "CONFIRMED" in sent["+12135550142"] and "CONFIRMADO" in sent["+12135550143"]
    (envelope,) = mailbox.messages
    assert isinstance(envelope.content, bytes)
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["To"] == "inside@example.org" and message["Subject"].startswith("CONFIRMED")
    assert "CONFIRMED" in message.get_content()
    assert inbox.problems == []
    (notice,) = inbox.received
    assert "CONFIRMADO" in notice["body"] and notice["kind"] == "confirmed"

    rows = deliveries(db)
    assert len(rows) == 4 and {d.status for d in rows} <= {"sent", "delivered"}
    (alert,) = alerts(db)
    assert (alert.incident_id, alert.kind, alert.automatic) == (incident_id, "confirmed", True)

    # Twilio tells us a text arrived: its signed status callback marks the delivery.
    sms_row = next(d for d in rows if (d.provider_id or "").startswith("SM"))
    callback = {"MessageSid": sms_row.provider_id or "", "MessageStatus": "delivered"}
    url = "https://vecinos.test/api/alerts/sms/status"
    signature = RequestValidator(servers.TWILIO_TOKEN).compute_signature(url, callback)
    unsigned = client.post("/api/alerts/sms/status", data=callback)
    assert unsigned.status_code == 403
    signed = client.post(
        "/api/alerts/sms/status", data=callback, headers={"X-Twilio-Signature": signature}
    )
    assert signed.status_code == 204
    assert next(d for d in deliveries(db) if d.id == sms_row.id).status == DeliveryStatus.DELIVERED


def test_a_false_alarm_sends_rumour_control_only_to_those_who_asked(
    app: FastAPI,
    client: TestClient,
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    twilio: HttpStandIn,
    smtp: tuple[Mailbox, int, Path],
    push: tuple[PushInbox, HttpStandIn],
) -> None:
    inbox, _ = push
    add_zones(sessions, cast)
    residents(client, db, settings, inbox)
    incident_id = report(client, db, FALSE_ALARM)
    with client_for(app, cast, cast.dario) as dario:
        for state in ("verifying", "unfounded"):
            moved = dario.post(f"/api/incidents/{incident_id}/transition", json={"to": state})
            assert moved.status_code == 200, moved.text
    run_worker(sessions, settings, clock)

    sent = texts_sent(twilio)
    assert list(sent) == ["+12135550142"]  # inside and asked; the one outside asked too
    assert "RUMOUR CONTROL" in sent["+12135550142"]
    assert smtp[0].messages == [] and inbox.received == []
    assert [a.kind for a in alerts(db)] == ["rumour_control"]
