"""The opt-in message (SMS code or e-mail link), written for the worker to send.

A request never sends: it writes a delivery in its own transaction and the worker sends it
through the subscriber's channel, like any alert. The text carries a secret, so it is sealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from vecinos.alerts import outbox
from vecinos.alerts.models import TEXT_CHANNELS, ChannelKind, Subscription
from vecinos.alerts.outbox_models import Delivery
from vecinos.config import Settings
from vecinos.i18n import INTERFACE_LANGUAGES, N_, SOURCE_LANGUAGE, gettext

OPTIN_PURPOSE = "optin"
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
    if subscription.channel in TEXT_CHANNELS:
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
    db: Session, subscription: Subscription, message: OptInText, settings: Settings, now: datetime
) -> Delivery:
    """A delivery of `message` to the (pending) subscription, in the caller's transaction; not
    sent once its code has lapsed."""
    return outbox.queue_direct(
        db,
        channel=ChannelKind(subscription.channel),
        message=outbox.DirectMessage(text=message.text, subject=message.subject),
        language=subscription.language,
        purpose=OPTIN_PURPOSE,
        settings=settings,
        now=now,
        subscription_id=subscription.id,
        expires_at=subscription.confirm_expires_at,
    )
