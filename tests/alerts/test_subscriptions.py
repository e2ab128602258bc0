"""Subscribing without an account: double opt-in, repeats, unsubscribing, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.alerts.factories import (
    SUBSCRIBE,
    body,
    counts,
    link_token,
    opt_in_text,
    sms_code,
    subscribe,
)
from vecinos import keyring
from vecinos.alerts.models import Subscription, SubscriptionStatus
from vecinos.clock import FrozenClock
from vecinos.config import Settings

CONFIRM = "/api/alerts/subscriptions/confirm"


def test_sms_double_opt_in_with_a_code(client: TestClient, db: Session, settings: Settings) -> None:
    made = subscribe(client)
    assert made["status"] == "pending" and made["confirm_expires_at"]
    text = opt_in_text(db, settings)
    assert "ALTO" in text and "código" in text  # Spanish: the subscriber's language
    wrong = client.post(CONFIRM, json={"handle": made["handle"], "code": "000000"})
    if sms_code(db, settings) != "000000":
        assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "wrong_code"
    answer = client.post(CONFIRM, json={"handle": made["handle"], "code": sms_code(db, settings)})
    assert answer.status_code == 200 and answer.json() == {"status": "active"}
    db.rollback()
    row = db.scalars(select(Subscription)).one()
    assert row.status == SubscriptionStatus.ACTIVE and row.confirm_hash is None


def test_email_double_opt_in_with_a_link(
    client: TestClient, db: Session, settings: Settings
) -> None:
    subscribe(client, channel="email", contact="Resident.One@Example.org", language="en")
    text = opt_in_text(db, settings)
    assert text.count("https://vecinos.test/alerts/") == 2  # confirm and unsubscribe links
    token = link_token(db, settings)
    answer = client.post(f"{CONFIRM}-link", json={"token": token})
    assert answer.status_code == 200 and answer.json()["status"] == "active"
    again = client.post(f"{CONFIRM}-link", json={"token": token})
    assert again.status_code == 404  # a link works once


def test_contacts_are_sealed_and_indexed_never_stored_raw(
    client: TestClient, db: Session, settings: Settings
) -> None:
    subscribe(client, contact="(213) 555-0142")
    row = db.scalars(select(Subscription)).one()
    sealed = row.contact_encrypted
    assert sealed is not None and b"2135550142" not in sealed and "555" not in row.contact_index
    assert keyring.subscribers(settings).open(sealed) == "+12135550142"


def test_an_expired_code_is_refused_and_nothing_changes(
    client: TestClient, db: Session, settings: Settings, clock: FrozenClock
) -> None:
    made = subscribe(client)
    code = sms_code(db, settings)
    clock.advance(minutes=settings.alert_confirm_minutes + 1)
    answer = client.post(CONFIRM, json={"handle": made["handle"], "code": code})
    assert answer.status_code == 410
    assert answer.json()["error"]["code"] == "confirmation_expired"
    db.rollback()
    assert db.scalars(select(Subscription.status)).one() == SubscriptionStatus.PENDING
    # A lapsed pending subscription no longer blocks a new one for the same number.
    assert client.post(SUBSCRIBE, json=body()).status_code == 201
    assert counts(db)[0] == 1


def test_wrong_codes_are_counted_then_refused(
    client: TestClient, db: Session, settings: Settings
) -> None:
    made = subscribe(client)
    right = sms_code(db, settings)
    wrong = "111111" if right != "111111" else "222222"
    for _ in range(settings.alert_confirm_attempts):
        answer = client.post(CONFIRM, json={"handle": made["handle"], "code": wrong})
        assert answer.status_code == 422
    answer = client.post(CONFIRM, json={"handle": made["handle"], "code": right})
    assert answer.status_code == 429 and answer.json()["error"]["code"] == "too_many_attempts"


@pytest.mark.parametrize(
    "first",
    ["213-555-0142", "+1 (213) 555-0142", "2135550142"],
)
def test_a_repeat_is_the_same_contact_whatever_the_formatting(
    client: TestClient, db: Session, settings: Settings, first: str
) -> None:
    """Answered like any request (finding 3); confirmed, it replaces the first subscription."""
    made = subscribe(client, contact=first)
    client.post(CONFIRM, json={"handle": made["handle"], "code": sms_code(db, settings)})
    again = subscribe(client, contact="+12135550142")
    client.post(CONFIRM, json={"handle": again["handle"], "code": sms_code(db, settings)})
    db.rollback()
    statuses = db.scalars(select(Subscription.status).order_by(Subscription.id)).all()
    assert statuses == [SubscriptionStatus.UNSUBSCRIBED, SubscriptionStatus.ACTIVE]


def test_email_repeats_ignore_case(client: TestClient, db: Session, settings: Settings) -> None:
    subscribe(client, channel="email", contact="resident@example.org")
    client.post(f"{CONFIRM}-link", json={"token": link_token(db, settings)})
    subscribe(client, channel="email", contact="RESIDENT@example.ORG")
    client.post(f"{CONFIRM}-link", json={"token": link_token(db, settings)})
    db.rollback()
    assert len(set(db.scalars(select(Subscription.contact_index)))) == 1
    assert db.scalars(select(Subscription.status).order_by(Subscription.id)).all() == [
        SubscriptionStatus.UNSUBSCRIBED,
        SubscriptionStatus.ACTIVE,
    ]


def test_unsubscribe_by_link_then_subscribe_again(
    client: TestClient, db: Session, settings: Settings
) -> None:
    made = subscribe(client)
    answer = client.post("/api/alerts/unsubscribe", json={"token": made["unsubscribe_token"]})
    assert answer.status_code == 200 and answer.json()["status"] == "unsubscribed"
    assert client.post("/api/alerts/unsubscribe", json={"token": "su_nope"}).status_code == 404
    assert client.post(SUBSCRIBE, json=body()).status_code == 201
    db.rollback()
    assert db.scalars(select(Subscription.status)).one() == SubscriptionStatus.PENDING


def test_push_is_active_at_once_and_keeps_its_home_cell(client: TestClient, db: Session) -> None:
    push = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
        "keys": {"p256dh": "p", "auth": "a"},
    }
    made = subscribe(client, channel="push", contact=None, push_subscription=push)
    assert made["status"] == "active" and made["confirm_expires_at"] is None
    assert counts(db)[2] == 0  # no opt-in message
    assert db.scalars(select(Subscription.home_cell)).one() is not None


PUSH_HTTP = {"endpoint": "http://fcm.googleapis.com/v1", "keys": {"p256dh": "p", "auth": "a"}}
BAD: list[tuple[dict[str, Any], int, str]] = [
    (body(contact="12345"), 422, "invalid_phone"),
    (body(contact="not a number"), 422, "invalid_phone"),
    (body(channel="email", contact="resident@"), 422, "invalid_email"),
    (body(channel="email", contact=None), 422, "missing_contact"),
    (body(language="xx-notreal"), 422, "unknown_language"),
    (body(language="qq"), 422, "unknown_language"),
    (body(area={"lat": 34.0, "lon": -118.2, "radius_m": 3000}), 422, "radius_not_offered"),
    (body(area={"lat": 134.0, "lon": -118.2, "radius_m": 1000}), 422, "invalid_point"),
    (body(area={"zone_ids": [999]}), 422, "unknown_zone"),
    (body(area={"zone_ids": []}), 422, "invalid_input"),
    (body(channel="push", contact=None), 422, "invalid_push"),
    (body(channel="push", contact=None, push_subscription=PUSH_HTTP), 422, "invalid_push"),
    (body(channel="webhook", contact="https://partner.example.org/hook"), 422, "invalid_input"),
    (body(ip_address="203.0.113.9"), 422, "invalid_input"),
]


@pytest.mark.parametrize(("data", "status", "code"), BAD)
def test_bad_input_is_a_clear_4xx_and_writes_nothing(
    client: TestClient, db: Session, data: dict[str, Any], status: int, code: str
) -> None:
    answer = client.post(SUBSCRIBE, json=data)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    assert counts(db) == (0, 0, 0)


def test_any_real_language_is_accepted_and_normalised(client: TestClient, db: Session) -> None:
    subscribe(client, language="zh-hant")
    subscribe(client, contact="323-555-0199", language="ko")
    db.rollback()
    assert set(db.scalars(select(Subscription.language))) == {"zh-Hant", "ko"}


def test_opt_in_messages_are_capped_for_everyone_together(
    client: TestClient, db: Session, settings: Settings, clock: FrozenClock
) -> None:
    settings.alert_optins_per_minute = 2
    subscribe(client, contact="213-555-0101")
    subscribe(client, contact="213-555-0102")
    answer = client.post(SUBSCRIBE, json=body(contact="213-555-0103"))
    assert answer.status_code == 429 and answer.json()["error"]["code"] == "rate_limited_global"
    assert int(answer.headers["retry-after"]) >= 1
    assert counts(db)[0] == 2
    clock.advance(seconds=30)
    assert client.post(SUBSCRIBE, json=body(contact="213-555-0103")).status_code == 201
