"""One text to our number, answered: REPORT and ALERTS conversations first, then the alerts
keywords (STOP, START, HELP, RIGHTS), then the next answer of a conversation in progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from vecinos.alerts import contacts, inbound
from vecinos.config import Settings
from vecinos.errors import AppError
from vecinos.hotline import conversation, text_alerts
from vecinos.hotline.conversation import Sender

WHATSAPP_PREFIX = "whatsapp:"


def sender_of(address: str) -> Sender | None:
    """The number behind Twilio's `From` (`+1…` or `whatsapp:+1…`); None for short codes,
    alphanumeric senders and withheld numbers, which have nothing to answer."""
    channel = "sms"
    if address.lower().startswith(WHATSAPP_PREFIX):
        channel, address = "whatsapp", address[len(WHATSAPP_PREFIX) :]
    try:
        return Sender(contacts.phone(address).key, channel)
    except AppError:
        return None


def reply(db: Session, form: dict[str, str], *, now: datetime, settings: Settings) -> str | None:
    """The TwiML reply's text, or None when there is nothing to say."""
    sender = sender_of(form.get("From", ""))
    if sender is None:
        return None
    body = form.get("Body", "").strip()
    first, _, rest = body.partition(" ")
    keyword = first.upper().strip(".!")
    if keyword in conversation.REPORT_WORDS:
        language = conversation.REPORT_WORDS[keyword]
        return conversation.start(db, sender, language, now=now, settings=settings)
    if sender.channel == "sms":
        if keyword in text_alerts.ALERTS_WORDS:
            return text_alerts.subscribe(db, sender.e164, keyword, rest, now=now, settings=settings)
        if keyword in text_alerts.ZONES_WORDS:
            return text_alerts.zones(db, sender.e164, keyword, settings=settings)
        answered = inbound.handle(db, form, now=now, settings=settings)
        if answered is not None:
            return answered
    return _continue(db, sender, body, now=now, settings=settings)


def _continue(
    db: Session, sender: Sender, body: str, *, now: datetime, settings: Settings
) -> str | None:
    open_one = conversation.find(db, sender, settings)
    if open_one is None:
        # A bare number answers a question we no longer remember asking: say how to start.
        return (
            conversation.nothing_open(settings.default_language, settings)
            if body.isdigit()
            else None
        )
    if open_one.expires_at <= now:
        return conversation.expired(db, open_one, settings)
    return conversation.answer(db, open_one, sender, body, now=now, settings=settings)
