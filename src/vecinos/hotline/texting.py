"""One text to our number, answered: REPORT and ALERTS conversations first, then the alerts
keywords (STOP, START, HELP, RIGHTS), then the next answer of a conversation in progress."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy.orm import Session

from vecinos.alerts import contacts, inbound
from vecinos.alerts.contacts import Contact
from vecinos.config import Settings
from vecinos.errors import AppError
from vecinos.hotline import conversation, text_alerts
from vecinos.hotline.conversation import Sender


def texter_of(address: str) -> Contact | None:
    """The number behind Twilio's `From` (`+1…` or `whatsapp:+1…`) and the channel it came
    by; None for short codes, alphanumeric senders and withheld numbers, which have nothing to
    answer."""
    try:
        return contacts.texter(address)
    except AppError:
        return None


def sender_of(address: str) -> Sender | None:
    texter = texter_of(address)
    return Sender(texter.key, texter.channel.value) if texter else None


class Needs(Enum):
    """What `read_only_reply` says of a text it cannot answer without writing."""

    WRITE = "write"


def read_only_reply(
    db: Session, form: dict[str, str], *, now: datetime, settings: Settings
) -> str | Needs | None:
    """The reply to a text that changes nothing (HELP, RIGHTS, ZONES, thanks, a number with no
    report in progress), from a session that only reads; `Needs.WRITE` for any other, which
    `reply` then answers in a write transaction. On SQLite every writer waits for the one
    before: after a broad alert most texts back only read, and they must not queue there."""
    texter = texter_of(form.get("From", ""))
    if texter is None:
        return None
    body = form.get("Body", "").strip()
    keyword = _first_word(body)
    if keyword in conversation.REPORT_WORDS or keyword in text_alerts.ALERTS_WORDS:
        return Needs.WRITE
    if keyword in text_alerts.ZONES_WORDS:
        return text_alerts.zones(db, texter, keyword, settings=settings)
    alerts_keyword = inbound.keyword_of(body)
    if inbound.writes(alerts_keyword):
        return Needs.WRITE
    answered = inbound.answer(db, texter, alerts_keyword, now=now, settings=settings)
    if answered is not None:
        return answered
    if conversation.find(db, Sender(texter.key, texter.channel.value), settings) is not None:
        return Needs.WRITE  # the next answer, or a late one that drops what was kept
    return _nothing_open(body, settings)


def reply(db: Session, form: dict[str, str], *, now: datetime, settings: Settings) -> str | None:
    """The TwiML reply's text, or None when there is nothing to say. SMS and WhatsApp are
    answered alike; whatever a text starts (a subscription, a follow-up) stays on its channel."""
    texter = texter_of(form.get("From", ""))
    if texter is None:
        return None
    sender = Sender(texter.key, texter.channel.value)
    body = form.get("Body", "").strip()
    _, _, rest = body.partition(" ")
    keyword = _first_word(body)
    if keyword in conversation.REPORT_WORDS:
        language = conversation.REPORT_WORDS[keyword]
        return conversation.start(db, sender, language, now=now, settings=settings)
    if keyword in text_alerts.ALERTS_WORDS:
        return text_alerts.subscribe(db, texter, keyword, rest, now=now, settings=settings)
    if keyword in text_alerts.ZONES_WORDS:
        return text_alerts.zones(db, texter, keyword, settings=settings)
    answered = inbound.answer(db, texter, inbound.keyword_of(body), now=now, settings=settings)
    if answered is not None:
        return answered
    return _continue(db, sender, body, now=now, settings=settings)


def _first_word(body: str) -> str:
    first, _, _ = body.partition(" ")
    return first.upper().strip(".!")


def _nothing_open(body: str, settings: Settings) -> str | None:
    # A bare number answers a question we no longer remember asking: say how to start.
    if not body.isdigit():
        return None
    return conversation.nothing_open(settings.default_language, settings)


def _continue(
    db: Session, sender: Sender, body: str, *, now: datetime, settings: Settings
) -> str | None:
    open_one = conversation.find(db, sender, settings)
    if open_one is None:
        return _nothing_open(body, settings)
    if open_one.expires_at <= now:
        return conversation.expired(db, open_one, settings)
    return conversation.answer(db, open_one, sender, body, now=now, settings=settings)
