"""The one outbox: whatever vecinos owes a person is a delivery the worker sends.

Alerts write their deliveries when they are published (`publishing.write_deliveries`). Anything
else goes through `queue_direct`: an opt-in code, a one-line status to someone who texted a
report, a volunteer's shift reminder, a broadcast. It is written in the caller's transaction
(so it is sent if and only if what caused it commits), sealed (the text and, for someone who
is not a subscriber, the contact, under the subscribers' data keys of `vecinos.keyring`, so
they are crypto-shredded with them), and sent by the delivery engine (`sending.py`) with the same
retries, rates and channels as alerts. Nothing is ever sent from inside a request.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from vecinos import events, keyring
from vecinos.alerts.models import ChannelKind
from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.config import Settings

MAX_PURPOSE = 24


@dataclass(frozen=True)
class DirectMessage:
    text: str
    subject: str = ""


# How long a direct message may wait when its caller sets no expiry: what it seals lives no
# longer than the data key of the period this ends in.
LONGEST_WAIT = timedelta(days=2)


def _seal(plaintext: str, settings: Settings, until: datetime) -> bytes:
    return keyring.subscribers(settings).seal(plaintext, until=until)


def open_message(sealed: bytes, settings: Settings) -> DirectMessage:
    data = json.loads(keyring.subscribers(settings).open(sealed))
    return DirectMessage(subject=str(data["subject"]), text=str(data["text"]))


def queue_direct(
    db: Session,
    *,
    channel: ChannelKind,
    message: DirectMessage,
    language: str,
    purpose: str,
    settings: Settings,
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
    until = expires_at or now + LONGEST_WAIT
    text = json.dumps({"subject": message.subject, "text": message.text})
    row = Delivery(
        alert_id=None,
        message_encrypted=_seal(text, settings, until),
        subscription_id=subscription_id,
        contact_encrypted=_seal(contact, settings, until) if contact is not None else None,
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
