"""Texts to our number (SMS or WhatsApp), as Twilio posts them: signature check, then the
keywords.

STOP / ALTO end the sender's subscription on the channel it texted by (found by the blind
index of the number, never by the raw number), START brings it back, HELP / AYUDA explain,
RIGHTS / DERECHOS answer with the rights reminder. Replies are TwiML, in the keyword's
language or the subscriber's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from vecinos.alerts import contacts, subscriptions
from vecinos.alerts.contacts import Contact
from vecinos.config import Settings
from vecinos.errors import AppError, Forbidden
from vecinos.i18n import N_, gettext
from vecinos.rights.sms import rights_reply

SIGNATURE_HEADER = "x-twilio-signature"

STOP_WORDS = {
    "STOP": "en",
    "STOPALL": "en",
    "UNSUBSCRIBE": "en",
    "CANCEL": "en",
    "END": "en",
    "QUIT": "en",
    "ALTO": "es",
    "PARAR": "es",
    "BAJA": "es",
}
START_WORDS = {"START": "en", "UNSTOP": "en", "YES": "en", "COMENZAR": "es", "ALTA": "es"}
HELP_WORDS = {"HELP": "en", "INFO": "en", "AYUDA": "es"}
RIGHTS_WORDS = {"RIGHTS": "en", "DERECHOS": "es"}

STOPPED = N_("{coalition}: you will receive no more alerts. Text START to resume.")
NOT_SUBSCRIBED = N_("{coalition}: this number has no alerts to stop.")
STARTED = N_("{coalition}: alerts to this number are back on. Text STOP to end them.")
HELP = N_(
    "{coalition}: alerts volunteers confirmed, notices marked UNCONFIRMED, and their "
    "corrections. Text STOP to end, START to resume, RIGHTS for your rights."
)


def check_signature(settings: Settings, path: str, form: dict[str, str], sent: str | None) -> None:
    """Twilio signs the URL it was given (our public URL) plus the posted fields."""
    token = settings.twilio_auth_token.get_secret_value()
    url = settings.public_url.rstrip("/") + path
    if not token or not sent or not RequestValidator(token).validate(url, form, sent):
        raise Forbidden(N_("The request is not signed by our SMS provider."), code="bad_signature")


def keyword_of(body: str) -> str:
    """The text's first word as a keyword: "stop." and "Stop!" are STOP."""
    word = body.strip().split(maxsplit=1)
    return word[0].upper().strip(".!") if word else ""


def is_stop(form: dict[str, str]) -> bool:
    """Whether the text asks to stop: carriers require it honoured, so nothing refuses it."""
    return keyword_of(form.get("Body", "")) in STOP_WORDS


def handle(db: Session, form: dict[str, str], *, now: datetime, settings: Settings) -> str | None:
    """The reply to send back, or None for a text that is not a keyword."""
    try:
        texter = contacts.texter(form.get("From", ""))  # by SMS or by WhatsApp
    except AppError:
        return None  # short codes and alphanumeric senders have nothing to stop
    return answer(db, texter, keyword_of(form.get("Body", "")), now=now, settings=settings)


def answer(
    db: Session, texter: Contact, keyword: str, *, now: datetime, settings: Settings
) -> str | None:
    """The reply to a keyword from a number already parsed, or None for any other word. Only
    STOP and START write; HELP reads nothing, RIGHTS only the subscriber's language."""
    coalition = settings.coalition_name
    if keyword in STOP_WORDS:
        done = subscriptions.stop_texts(db, texter, now=now, settings=settings)
        message = STOPPED if done else NOT_SUBSCRIBED
        return gettext(STOP_WORDS[keyword], message).format(coalition=coalition)
    if keyword in START_WORDS:
        if not subscriptions.restart_texts(db, texter, now=now, settings=settings):
            return None
        return gettext(START_WORDS[keyword], STARTED).format(coalition=coalition)
    if keyword in HELP_WORDS:
        return gettext(HELP_WORDS[keyword], HELP).format(coalition=coalition)
    if keyword in RIGHTS_WORDS:
        subscription = subscriptions.texter_subscription(db, texter, settings)
        language = subscription.language if subscription else RIGHTS_WORDS[keyword]
        return rights_reply(language, settings)
    return None


def writes(keyword: str) -> bool:
    """Whether answering `keyword` changes a subscription (STOP, START)."""
    return keyword in STOP_WORDS or keyword in START_WORDS


def twiml(reply: str | None) -> str:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return str(response)
