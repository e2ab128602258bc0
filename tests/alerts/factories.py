"""Small helpers for alerts tests: subscribe through the API, read the sealed opt-in text."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vecinos.alerts.models import Subscription, SubscriptionCell
from vecinos.alerts.outbox import open_message
from vecinos.alerts.outbox_models import Delivery
from vecinos.config import Settings
from vecinos.crypto import Encryptor

# Boyle Heights, Los Angeles (a public place, no one's home).
HERE = (34.0339, -118.2106)
SUBSCRIBE = "/api/alerts/subscriptions"


def subscriber_encryptor(settings: Settings) -> Encryptor:
    return Encryptor(settings.secret, "subscriber", settings.old_secrets)


def body(
    channel: str = "sms", contact: str | None = "213-555-0142", **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": channel,
        "contact": contact,
        "language": "es",
        "area": {"lat": HERE[0], "lon": HERE[1], "radius_m": 2000},
    }
    data.update(extra)
    return data


def subscribe(client: TestClient, **fields: Any) -> dict[str, Any]:
    answer = client.post(SUBSCRIBE, json=body(**fields))
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


OPT_INS = Delivery.alert_id.is_(None)  # the outbox's direct messages: opt-in codes and links


def opt_in_text(db: Session, settings: Settings) -> str:
    db.rollback()  # a fresh snapshot on PostgreSQL
    query = select(Delivery.message_encrypted).where(OPT_INS).order_by(Delivery.id.desc())
    sealed = db.scalars(query).first()
    assert sealed is not None
    return open_message(sealed, settings).text


def sms_code(db: Session, settings: Settings) -> str:
    found = re.search(r"\b(\d{6})\b", opt_in_text(db, settings))
    assert found is not None
    return found.group(1)


def link_token(db: Session, settings: Settings) -> str:
    found = re.search(r"/alerts/confirm\?token=(\S+)", opt_in_text(db, settings))
    assert found is not None
    return found.group(1)


def counts(db: Session) -> tuple[int, int, int]:
    """Rows of subscriptions, zone cells and opt-in messages: nothing partial may be written."""
    db.rollback()  # a fresh snapshot on PostgreSQL
    return (
        db.scalar(select(func.count()).select_from(Subscription)) or 0,
        db.scalar(select(func.count()).select_from(SubscriptionCell)) or 0,
        db.scalar(select(func.count()).select_from(Delivery).where(OPT_INS)) or 0,
    )
