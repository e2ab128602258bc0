"""The opt-in message (SMS code or e-mail link), written for the worker to send.

A request never sends: it writes this row in its own transaction and the worker delivers it
through the subscriber's channel, like any alert. The text carries a secret, so it is sealed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from vecinos.alerts.models import ChannelKind, OptInMessage, Subscription
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.i18n import INTERFACE_LANGUAGES, N_, SOURCE_LANGUAGE, gettext

CONFIRM_PATH = "/alerts/confirm"
UNSUBSCRIBE_PATH = "/alerts/unsubscribe"

SMS_CODE = N_(
    "{coalition}: your code is {code}. It confirms alerts to this number. Reply STOP to end."
)
EMAIL_SUBJECT = N_("{coalition}: confirm your alerts")
EMAIL_BODY = N_(
    "Someone (we hope you) asked for {coalition} alerts at this address.\n\n"
    "Confirm: {confirm_url}\n\n"
    "If it was not you, ignore this message; nothing will be sent.\n"
    "Unsubscribe at any time: {unsubscribe_url}"
)


@dataclass(frozen=True)
class OptInText:
    subject: str
    text: str


def interface_language(tag: str) -> str:
    """Our own words (codes, links) come in the interface language closest to `tag`."""
    base = tag.split("-")[0].lower()
    return base if base in INTERFACE_LANGUAGES else SOURCE_LANGUAGE


def link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}{path}?token={token}"


def compose(
    subscription: Subscription, secret: str, unsubscribe_token: str, settings: Settings
) -> OptInText:
    language = interface_language(subscription.language)
    coalition = settings.coalition_name
    if subscription.channel == ChannelKind.SMS:
        text = gettext(language, SMS_CODE).format(coalition=coalition, code=secret)
        return OptInText(subject="", text=text)
    body = gettext(language, EMAIL_BODY).format(
        coalition=coalition,
        confirm_url=link(settings, CONFIRM_PATH, secret),
        unsubscribe_url=link(settings, UNSUBSCRIBE_PATH, unsubscribe_token),
    )
    subject = gettext(language, EMAIL_SUBJECT).format(coalition=coalition)
    return OptInText(subject=subject, text=body)


def enqueue(
    db: Session, subscription: Subscription, message: OptInText, encryptor: Encryptor, now: datetime
) -> OptInMessage:
    sealed = encryptor.encrypt(json.dumps({"subject": message.subject, "text": message.text}))
    row = OptInMessage(subscription_id=subscription.id, message_encrypted=sealed, created_at=now)
    db.add(row)
    return row


def open_message(row: OptInMessage, encryptor: Encryptor) -> OptInText:
    data = json.loads(encryptor.decrypt(row.message_encrypted))
    return OptInText(subject=str(data["subject"]), text=str(data["text"]))
