"""The one outbox: whatever vecinos owes a person is a delivery the worker sends.

Alerts write their deliveries when they are published (`publishing.write_deliveries`). Anything
else goes through `queue_direct`: an opt-in code, a one-line status to someone who texted a
report, a volunteer's shift reminder, a broadcast. It is written in the caller's transaction
(so it is sent if and only if what caused it commits), sealed (the text and, for someone who
is not a subscriber, the contact), and sent by the delivery engine (`sending.py`) with the same
retries, rates and channels as alerts. Nothing is ever sent from inside a request.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from vecinos import events
from vecinos.alerts.models import ChannelKind
from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.crypto import Encryptor

MAX_PURPOSE = 24


@dataclass(frozen=True)
class DirectMessage:
    text: str
    subject: str = ""


def seal_message(message: DirectMessage, sealer: Encryptor) -> bytes:
    return sealer.encrypt(json.dumps({"subject": message.subject, "text": message.text}))


def open_message(sealed: bytes, opener: Encryptor) -> DirectMessage:
    data = json.loads(opener.decrypt(sealed))
    return DirectMessage(subject=str(data["subject"]), text=str(data["text"]))


def queue_direct(
    db: Session,
    *,
    channel: ChannelKind,
    message: DirectMessage,
    language: str,
    purpose: str,
    sealer: Encryptor,
    now: datetime,
    contact: str | None = None,
    subscription_id: int | None = None,
    expires_at: datetime | None = None,
) -> Delivery:
    """Queue `message` for one person, in the caller's transaction.

    To a subscriber (`subscription_id`: the subscription's own contact is used) or to anyone
    else (`contact`: the channel's normal form of a phone number, an e-mail address…, sealed
    on the row and erased once the message is settled). `purpose` names what it is for
    ("optin", "status", "reminder", …); `expires_at`, when it is no longer worth sending.
    """
    if (contact is None) == (subscription_id is None):
        raise ValueError("a direct message goes to a subscription or to a contact, not both")
    if not 1 <= len(purpose) <= MAX_PURPOSE:
        raise ValueError(f"purpose must be 1 to {MAX_PURPOSE} characters")
    row = Delivery(
        alert_id=None,
        message_encrypted=seal_message(message, sealer),
        subscription_id=subscription_id,
        contact_encrypted=sealer.encrypt(contact) if contact is not None else None,
        purpose=purpose,
        expires_at=expires_at,
        channel=channel,
        language=language,
        status=DeliveryStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        idempotency_key=f"{purpose[:8]}-{secrets.token_hex(16)}",
        created_at=now,
    )
    db.add(row)
    events.emit(db, events.Topic.OUTBOX, {"direct": purpose})
    return row
