"""The demo inbox: under `vecinos demo`, the texts, e-mails and notifications that no provider
is configured for land here instead, and staff read them as the phone or the mailbox would
show them (opt-in codes, alerts, and the answers to what the phone texts back).

Never in a real deployment: the app refuses to start with it outside the demo. Contacts and
texts are sealed like every subscriber's, even here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import LargeBinary, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from vecinos.alerts import contacts, inbound
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import Base, UTCDateTime

INBOX_PURPOSE = "demo-inbox"
MOST_SHOWN = 500


class InboxKind(StrEnum):
    OPT_IN = "optin"  # a confirmation code or link
    ALERT = "alert"
    TEXTED = "texted"  # what the phone sent to our number
    REPLY = "reply"  # our answer to it
    NOTICE = "notice"  # a shift reminder, a broadcast, an accompaniment confirmation


class InboxMessage(Base):
    __tablename__ = "demo_inbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[InboxKind] = mapped_column(String(16))
    contact_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    message_encrypted: Mapped[bytes] = mapped_column(LargeBinary)  # JSON: subject, text
    language: Mapped[str] = mapped_column(String(35))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


@dataclass(frozen=True)
class Shown:
    kind: str
    subject: str
    text: str
    language: str
    at: datetime


@dataclass
class Thread:
    """One phone, mailbox or browser, and what it received (and sent), oldest first."""

    channel: str
    contact: str
    messages: list[Shown] = field(default_factory=list)


def _sealer(settings: Settings) -> Encryptor:
    return Encryptor(settings.secret, INBOX_PURPOSE, settings.old_secrets)


def record(
    db: Session,
    settings: Settings,
    *,
    channel: str,
    kind: InboxKind,
    contact: str,
    text: str,
    subject: str = "",
    language: str = "en",
    now: datetime,
) -> InboxMessage:
    sealer = _sealer(settings)
    row = InboxMessage(
        channel=channel,
        kind=kind,
        contact_encrypted=sealer.encrypt(contact),
        message_encrypted=sealer.encrypt(json.dumps({"subject": subject, "text": text})),
        language=language,
        created_at=now,
    )
    db.add(row)
    db.flush()
    return row


def threads(db: Session, settings: Settings) -> list[Thread]:
    """Every recipient's messages; the most recently active first."""
    sealer = _sealer(settings)
    rows: Sequence[InboxMessage] = db.scalars(
        select(InboxMessage).order_by(InboxMessage.id.desc()).limit(MOST_SHOWN)
    ).all()
    found: dict[tuple[str, str], Thread] = {}
    for row in rows:
        contact = sealer.decrypt(row.contact_encrypted)
        message = json.loads(sealer.decrypt(row.message_encrypted))
        thread = found.setdefault((row.channel, contact), Thread(row.channel, contact))
        shown = Shown(row.kind, message["subject"], message["text"], row.language, row.created_at)
        thread.messages.insert(0, shown)
    return list(found.values())


def text_back(db: Session, settings: Settings, phone: str, body: str, *, now: datetime) -> None:
    """The phone texts our number (STOP, AYUDA, DERECHOS…): the text and our answer, if any,
    go in its thread, as Twilio's webhook would have them."""
    number = contacts.phone(phone).key
    record(db, settings, channel="sms", kind=InboxKind.TEXTED, contact=number, text=body, now=now)
    answer = inbound.handle(db, {"From": number, "Body": body}, now=now, settings=settings)
    if answer:
        record(
            db, settings, channel="sms", kind=InboxKind.REPLY, contact=number, text=answer, now=now
        )
