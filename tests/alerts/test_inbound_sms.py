"""Twilio's inbound SMS webhook: signed by Twilio's own RequestValidator, keywords in two
languages, STOP / ALTO found through the blind index."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from tests.alerts.factories import sms_code, subscribe
from vecinos.alerts.models import Subscription, SubscriptionStatus
from vecinos.config import Settings

TOKEN = "twilio-inbound-test-token"
PATH = "/api/alerts/sms/inbound"
NUMBER = "+12135550142"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_auth_token": SecretStr(TOKEN)})


def text(
    client: TestClient, body: str, sender: str = NUMBER, token: str = TOKEN
) -> tuple[int, str]:
    form = {"From": sender, "To": "+12135550100", "Body": body, "MessageSid": "SM" + "1" * 32}
    url = "https://vecinos.test" + PATH  # what Twilio was given: our public URL
    signature = RequestValidator(token).compute_signature(url, form)
    answer = client.post(PATH, data=form, headers={"X-Twilio-Signature": signature})
    return answer.status_code, answer.text


def reply_of(twiml: str) -> str:
    message = ElementTree.fromstring(twiml).find("Message")  # noqa: S314 - our own TwiML
    return "" if message is None else (message.text or "")


def active_subscriber(client: TestClient, db: Session, settings: Settings) -> None:
    made = subscribe(client, contact="(213) 555-0142", language="es")
    code = sms_code(db, settings)
    confirmed = client.post(
        "/api/alerts/subscriptions/confirm", json={"handle": made["handle"], "code": code}
    )
    assert confirmed.status_code == 200


def status(db: Session) -> str:
    db.rollback()
    return db.scalars(select(Subscription.status)).one()


def test_unsigned_and_mis_signed_requests_are_refused(
    client: TestClient, db: Session, settings: Settings
) -> None:
    active_subscriber(client, db, settings)
    form = {"From": NUMBER, "Body": "STOP"}
    unsigned = client.post(PATH, data=form)
    assert unsigned.status_code == 403 and unsigned.json()["error"]["code"] == "bad_signature"
    other_token = RequestValidator("not-our-token").compute_signature(
        "https://vecinos.test" + PATH, form
    )
    forged = client.post(PATH, data=form, headers={"X-Twilio-Signature": other_token})
    assert forged.status_code == 403
    signed_for_other_body = RequestValidator(TOKEN).compute_signature(
        "https://vecinos.test" + PATH, {"From": NUMBER, "Body": "HELP"}
    )
    tampered = client.post(PATH, data=form, headers={"X-Twilio-Signature": signed_for_other_body})
    assert tampered.status_code == 403
    assert status(db) == SubscriptionStatus.ACTIVE


def test_stop_and_start_in_english(client: TestClient, db: Session, settings: Settings) -> None:
    active_subscriber(client, db, settings)
    code, twiml = text(client, "stop")
    assert code == 200 and "no more alerts" in reply_of(twiml)
    assert status(db) == SubscriptionStatus.UNSUBSCRIBED
    code, twiml = text(client, "START")
    assert "back on" in reply_of(twiml) and status(db) == SubscriptionStatus.ACTIVE


def test_alto_stops_in_spanish(client: TestClient, db: Session, settings: Settings) -> None:
    active_subscriber(client, db, settings)
    _, twiml = text(client, "Alto")
    assert "no recibirá más alertas" in reply_of(twiml)
    assert status(db) == SubscriptionStatus.UNSUBSCRIBED


@pytest.mark.parametrize(
    ("word", "expected"),
    [("HELP", "notices marked UNCONFIRMED"), ("ayuda", "avisos marcados SIN CONFIRMAR")],
)
def test_help_in_both_languages(client: TestClient, word: str, expected: str) -> None:
    code, twiml = text(client, word)
    assert code == 200 and expected in reply_of(twiml)


def test_rights_keyword_answers_in_the_subscribers_language(
    client: TestClient, db: Session, settings: Settings
) -> None:
    active_subscriber(client, db, settings)
    _, twiml = text(client, "RIGHTS")
    assert "https://vecinos.test/rights/es" in reply_of(twiml)


def test_stop_from_a_number_without_alerts_and_ordinary_texts(client: TestClient) -> None:
    _, twiml = text(client, "STOP", sender="+13235550199")
    assert "no alerts to stop" in reply_of(twiml)
    _, twiml = text(client, "hola, hay agentes en la esquina?")
    assert reply_of(twiml) == ""


def test_without_an_auth_token_every_request_is_refused(
    client: TestClient, settings: Settings
) -> None:
    settings.twilio_auth_token = SecretStr("")
    code, _ = text(client, "STOP")
    assert code == 403
