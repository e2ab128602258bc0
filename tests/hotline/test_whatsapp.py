"""WhatsApp as a channel of its own: ALERTAS, ZONAS, STOP and START by WhatsApp act on the
number's WhatsApp subscription, apart from its SMS one; alerts and a texted report's status
line go back by WhatsApp, through the Twilio stand-in, `whatsapp:` on both addresses."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from tests.alerts import servers
from tests.alerts.outbox_factories import deliver_round, deliveries, incident, publish_now
from tests.alerts.servers import HttpStandIn, Seen
from tests.cast import Cast
from tests.hotline.conftest import NUMBER, PUBLIC_URL, SMS_PATH, Texter, reply_of, signed_post
from tests.hotline.test_report_by_text import run_followups, settle
from vecinos.alerts import contacts
from vecinos.alerts.models import ChannelKind, Subscription, SubscriptionStatus
from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.hotline.models import TextFollowUp
from vecinos.incidents.models import IncidentState
from vecinos.reports.models import Report

WHATSAPP_SENDER = "+12135550199"
BY_WHATSAPP = f"whatsapp:{NUMBER}"
STATUS_PATH = "/api/alerts/sms/status"


@pytest.fixture
def twilio() -> Iterator[HttpStandIn]:
    with HttpStandIn(servers.twilio_responder) as server:
        yield server


@pytest.fixture
def settings(settings: Settings, twilio: HttpStandIn) -> Settings:
    """One Twilio account, as in production: it signs the webhooks and takes our messages."""
    return settings.model_copy(
        update={
            "twilio_base_url": twilio.url,
            "twilio_account_sid": servers.TWILIO_SID,
            "twilio_auth_token": SecretStr(servers.TWILIO_TOKEN),
            "twilio_from_number": "+12135550100",
            "twilio_whatsapp_from": WHATSAPP_SENDER,
            "outbound_allow_private": True,  # the stand-in is on 127.0.0.1
            # The test clock stands still, so no rate bucket refills: room for every message.
            "alert_whatsapp_per_second": 1000.0,
            "alert_sms_per_second": 1000.0,
        }
    )


@pytest.fixture
def text(client: TestClient) -> Texter:
    def send(body: str, sender: str = BY_WHATSAPP) -> str:
        form = {"From": sender, "To": "+12135550100", "Body": body, "MessageSid": "SM" + "3" * 32}
        return reply_of(signed_post(client, SMS_PATH, form, token=servers.TWILIO_TOKEN))

    return send


def rows(db: Session) -> dict[ChannelKind, Subscription]:
    db.rollback()
    found = db.scalars(select(Subscription)).all()
    assert len({row.channel for row in found}) == len(found)  # one row per channel
    return {ChannelKind(row.channel): row for row in found}


def form_of(seen: Seen) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}


def test_alertas_by_whatsapp_subscribes_the_number_on_whatsapp(
    text: Texter, db: Session, settings: Settings, places: dict[str, int]
) -> None:
    answer = text("ALERTAS boyle heights")
    assert answer.startswith("vecinos: alertas para Boyle Heights")
    made = rows(db)[ChannelKind.WHATSAPP]
    assert made.status == SubscriptionStatus.ACTIVE and made.language == "es"
    # Stored as an SMS contact is: sealed, found by a keyed index, never in clear.
    assert made.contact_encrypted is not None and NUMBER.encode() not in made.contact_encrypted
    assert contacts.opened(made.contact_encrypted, settings) == NUMBER
    assert made.contact_index == contacts.index_of(contacts.whatsapp(NUMBER), settings)
    assert made.contact_index != contacts.phone_index(NUMBER, settings)
    assert text("ZONAS") == "vecinos: alertas para Boyle Heights. Envíe ALTO para terminar."
    # By SMS, the same number has subscribed to nothing.
    assert text("ZONES", sender=NUMBER).startswith("vecinos: this number gets no alerts")


def test_the_same_number_by_sms_and_by_whatsapp_are_two_subscriptions(
    text: Texter, db: Session, settings: Settings, places: dict[str, int]
) -> None:
    text("ALERTS Eastside Wide", sender=NUMBER)
    text("ALERTAS boyle heights")
    both = rows(db)
    assert set(both) == {ChannelKind.SMS, ChannelKind.WHATSAPP}
    assert both[ChannelKind.SMS].zone_ids == [places["wide"]]
    assert both[ChannelKind.WHATSAPP].zone_ids == [places["heights"]]

    assert "no more alerts" in text("STOP")  # by WhatsApp: only WhatsApp's ends
    ended = rows(db)
    assert ended[ChannelKind.WHATSAPP].status == SubscriptionStatus.UNSUBSCRIBED
    assert ended[ChannelKind.WHATSAPP].contact_encrypted is None  # erased at once
    assert ended[ChannelKind.SMS].status == SubscriptionStatus.ACTIVE
    assert text("ZONES").startswith("vecinos: this number gets no alerts")
    assert "Eastside Wide" in text("ZONES", sender=NUMBER)

    assert "back on" in text("START")
    back = rows(db)[ChannelKind.WHATSAPP]
    assert back.status == SubscriptionStatus.ACTIVE and back.contact_encrypted is not None
    assert contacts.opened(back.contact_encrypted, settings) == NUMBER
    assert "no recibirá más alertas" in text("ALTO", sender=NUMBER)
    assert rows(db)[ChannelKind.SMS].status == SubscriptionStatus.UNSUBSCRIBED
    assert rows(db)[ChannelKind.WHATSAPP].status == SubscriptionStatus.ACTIVE


def test_alertas_after_stop_brings_the_number_back_with_its_contact(
    text: Texter, db: Session, settings: Settings, places: dict[str, int]
) -> None:
    text("ALERTAS boyle heights")
    text("ALTO")
    text("ALERTAS 90033")
    again = rows(db)[ChannelKind.WHATSAPP]
    assert again.status == SubscriptionStatus.ACTIVE
    # Active with no contact would be a subscriber nothing can reach.
    assert again.contact_encrypted is not None
    assert contacts.opened(again.contact_encrypted, settings) == NUMBER


def test_an_alert_reaches_a_whatsapp_subscriber_by_whatsapp(
    client: TestClient,
    text: Texter,
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    twilio: HttpStandIn,
    places: dict[str, int],
) -> None:
    text("ALERTS Eastside Wide")  # the zone around the test incidents' scene
    alert_id = publish_now(sessions, settings, clock, incident(sessions, cast))
    assert deliver_round(sessions, settings, clock) == 1
    (sent,) = deliveries(db, alert_id)
    assert sent.channel == ChannelKind.WHATSAPP and sent.status == DeliveryStatus.SENT
    (seen,) = twilio.seen
    form = form_of(seen)
    assert (form["To"], form["From"]) == (BY_WHATSAPP, f"whatsapp:{WHATSAPP_SENDER}")
    assert "CONFIRMED" in form["Body"]
    assert form["StatusCallback"] == PUBLIC_URL + STATUS_PATH

    # Twilio says the number has no WhatsApp account: the subscription stops there.
    callback = {
        "MessageSid": sent.provider_id or "",
        "MessageStatus": "undelivered",
        "ErrorCode": "63003",
    }
    signature = RequestValidator(servers.TWILIO_TOKEN).compute_signature(
        PUBLIC_URL + STATUS_PATH, callback
    )
    answer = client.post(STATUS_PATH, data=callback, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 204
    assert rows(db)[ChannelKind.WHATSAPP].status == SubscriptionStatus.DISABLED


def test_a_report_by_whatsapp_hears_how_it_ended_by_whatsapp(
    text: Texter,
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    twilio: HttpStandIn,
    places: dict[str, int],
) -> None:
    for answer in ("REPORTE", "1", "boyle heights"):
        text(answer)
    receipt = text("1")
    assert "le avisaremos" in receipt  # a status line will follow, and does
    report_id = db.scalars(select(Report.id)).one()
    assert db.scalars(select(TextFollowUp.channel)).one() == "whatsapp"
    settle(sessions, clock, IncidentState.VERIFYING, IncidentState.CONFIRMED)
    assert run_followups(sessions, clock, settings) == 1
    db.rollback()
    status = db.scalars(select(Delivery).where(Delivery.purpose == "status")).one()
    assert status.channel == ChannelKind.WHATSAPP
    assert deliver_round(sessions, settings, clock) == 1
    (seen,) = twilio.seen
    form = form_of(seen)
    assert (form["To"], form["From"]) == (BY_WHATSAPP, f"whatsapp:{WHATSAPP_SENDER}")
    assert form["Body"] == f"vecinos: reporte {report_id} revisado: voluntarios lo confirmaron."


def test_without_a_whatsapp_sender_the_receipt_promises_nothing_and_keeps_no_number(
    client: TestClient,
    db: Session,
    settings: Settings,
    places: dict[str, int],
) -> None:
    settings.twilio_whatsapp_from = ""  # the app's own settings object, read per request
    for answer in ("REPORT", "1", "boyle heights"):
        form = {"From": BY_WHATSAPP, "Body": answer}
        signed_post(client, SMS_PATH, form, token=servers.TWILIO_TOKEN)
    form = {"From": BY_WHATSAPP, "Body": "1"}
    receipt = reply_of(signed_post(client, SMS_PATH, form, token=servers.TWILIO_TOKEN))
    assert receipt.endswith("volunteers will check it.") and "text you" not in receipt
    assert db.scalars(select(TextFollowUp)).first() is None
