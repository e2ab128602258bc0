"""Finding 3: nobody learns from a subscription's answer whether a phone or e-mail is already
subscribed. Every request gets the same answer; only the contact's owner gets a code, and
confirming it replaces the earlier subscription (so subscribing again is how one changes it)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.alerts.factories import SUBSCRIBE, body, counts, link_token, sms_code, subscribe
from vecinos.alerts.models import Subscription, SubscriptionStatus
from vecinos.config import Settings

CONFIRM = "/api/alerts/subscriptions/confirm"


def shape(answer: dict[str, object]) -> tuple[object, ...]:
    """What an answer shows, its secrets aside (they are random in every answer)."""
    return (sorted(answer), answer["status"], answer["channel"])


@pytest.mark.parametrize(
    ("channel", "contact"), [("sms", "213-555-0142"), ("email", "r@example.org")]
)
def test_a_subscribed_contact_gets_the_same_answer_as_a_new_one(
    client: TestClient, db: Session, settings: Settings, channel: str, contact: str
) -> None:
    fresh = client.post(
        SUBSCRIBE,
        json=body(
            channel=channel, contact="+12135550199" if channel == "sms" else "new@example.org"
        ),
    )
    first = subscribe(client, channel=channel, contact=contact)
    if channel == "sms":
        client.post(CONFIRM, json={"handle": first["handle"], "code": sms_code(db, settings)})
    else:
        client.post(f"{CONFIRM}-link", json={"token": link_token(db, settings)})

    again = client.post(SUBSCRIBE, json=body(channel=channel, contact=contact))
    assert (again.status_code, fresh.status_code) == (201, 201), again.text
    assert shape(again.json()) == shape(fresh.json())
    assert again.json()["status"] == "pending"
    # A wrong code is answered alike too.
    wrong = {"code": "abcdef"}  # never a code
    for made in (again.json(), fresh.json()):
        answer = client.post(CONFIRM, json={"handle": made["handle"], **wrong})
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "wrong_code"


def test_the_owner_confirming_again_moves_the_subscription(
    client: TestClient, db: Session, settings: Settings
) -> None:
    first = subscribe(client)
    client.post(CONFIRM, json={"handle": first["handle"], "code": sms_code(db, settings)})
    messages_before = counts(db)[2]

    elsewhere = body(language="en", area={"lat": 34.05, "lon": -118.25, "radius_m": 5000})
    again = client.post(SUBSCRIBE, json=elsewhere)
    assert again.status_code == 201
    assert counts(db)[2] == messages_before + 1  # a code went to the number itself
    # Until the code comes back, the first subscription goes on as it was.
    rows = db.scalars(select(Subscription).order_by(Subscription.id)).all()
    assert [r.status for r in rows] == [SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING]

    code = sms_code(db, settings)
    confirmed = client.post(CONFIRM, json={"handle": again.json()["handle"], "code": code})
    assert confirmed.status_code == 200, confirmed.text
    db.rollback()
    rows = db.scalars(select(Subscription).order_by(Subscription.id)).all()
    assert [r.status for r in rows] == [SubscriptionStatus.UNSUBSCRIBED, SubscriptionStatus.ACTIVE]
    assert (rows[1].language, rows[1].radius_m) == ("en", 5000)


def test_a_stranger_who_cannot_confirm_changes_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    first = subscribe(client)
    client.post(CONFIRM, json={"handle": first["handle"], "code": sms_code(db, settings)})
    for _ in range(3):
        assert client.post(SUBSCRIBE, json=body(language="en")).status_code == 201
    db.rollback()
    active = db.scalars(
        select(Subscription).where(Subscription.status == SubscriptionStatus.ACTIVE)
    ).one()
    assert active.language == "es"
