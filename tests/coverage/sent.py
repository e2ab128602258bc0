"""What the stand-ins received from the delivery engine, and what the outbox holds."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from urllib.parse import parse_qs

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.servers import HttpStandIn, Mailbox
from vecinos.alerts.outbox_models import Delivery
from vecinos.alerts.sending import DeliveryEngine
from vecinos.clock import FrozenClock
from vecinos.config import Settings


def deliver(sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock) -> int:
    return DeliveryEngine(sessions, settings, clock).drain_now()


def queued(db: Session, purpose: str) -> list[Delivery]:
    db.rollback()  # a fresh snapshot
    return list(db.scalars(select(Delivery).where(Delivery.purpose == purpose)))


def texts_to(twilio: HttpStandIn, number: str) -> list[str]:
    # Texts only: one full PostgreSQL run saw a request without a To (not identified yet).
    messages = [s for s in twilio.seen if s.method == "POST" and s.path.endswith("/Messages.json")]
    sent = [{k: v[0] for k, v in parse_qs(s.body.decode()).items()} for s in messages]
    return [s["Body"] for s in sent if s["To"] == number]


def mails_to(mailbox: Mailbox, address: str) -> list[EmailMessage]:
    found = []
    for envelope in mailbox.messages:
        message = email.message_from_bytes(
            envelope.original_content or b"", policy=email.policy.default
        )
        assert isinstance(message, EmailMessage)
        if message["To"] == address:
            found.append(message)
    return found
