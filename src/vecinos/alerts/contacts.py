"""Checking and normalising a subscriber's contact, so equal contacts have one blind index.

Phones become E.164 (US numbers may omit +1), e-mails are checked for syntax and lowercased,
push subscriptions and webhooks keep a URL that must be https unless the deployment allows
plain http for tests. The blind index is a keyed HMAC of the normal form: a duplicate or a
STOP from that number is found without the raw value ever being stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from vecinos import keyring
from vecinos.alerts.models import ChannelKind
from vecinos.config import Settings
from vecinos.crypto import blind_index
from vecinos.errors import InvalidInput
from vecinos.i18n import N_
from vecinos.keyring import Vault
from vecinos.outbound import is_private_literal

DEFAULT_REGION = "US"
BLIND_INDEX_PURPOSE = "subscriber-contact"
WHATSAPP_PREFIX = "whatsapp:"  # how Twilio writes a WhatsApp address


@dataclass(frozen=True)
class Contact:
    """A checked contact: `key` is what identifies it (the indexed part), `value` is stored."""

    channel: ChannelKind
    key: str
    value: str  # the whole contact as stored (encrypted): a number, an address or JSON


def phone(raw: str) -> Contact:
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise _invalid_phone() from exc
    if not phonenumbers.is_valid_number(number):
        raise _invalid_phone()
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Contact(ChannelKind.SMS, e164, e164)


def whatsapp(raw: str) -> Contact:
    """A WhatsApp number: stored as E.164 like a phone's, indexed apart from it (the channel is
    part of the blind index), so one number may take alerts by SMS and by WhatsApp."""
    number = phone(raw)
    return Contact(ChannelKind.WHATSAPP, number.key, number.value)


def texter(address: str) -> Contact:
    """Who texted our number, from Twilio's `From`: `+1…` by SMS, `whatsapp:+1…` by WhatsApp.
    InvalidInput for short codes, alphanumeric senders and withheld numbers."""
    if address[: len(WHATSAPP_PREFIX)].lower() == WHATSAPP_PREFIX:
        return whatsapp(address[len(WHATSAPP_PREFIX) :])
    return phone(address)


def _invalid_phone() -> InvalidInput:
    return InvalidInput(N_("This is not a valid phone number."), code="invalid_phone")


def email(raw: str) -> Contact:
    try:
        checked = validate_email(raw, check_deliverability=False)  # no DNS from a request
    except EmailNotValidError as exc:
        raise InvalidInput(N_("This is not a valid e-mail address."), code="invalid_email") from exc
    address = checked.normalized.lower()
    return Contact(ChannelKind.EMAIL, address, address)


def push(subscription: dict[str, Any], settings: Settings) -> Contact:
    """A browser's PushSubscription JSON (its sizes checked by the schema): endpoint plus the
    p256dh and auth keys. The endpoint must belong to a known push service."""
    keys = subscription.get("keys")
    endpoint = subscription.get("endpoint")
    if not (
        isinstance(endpoint, str)
        and isinstance(keys, dict)
        and all(isinstance(keys.get(k), str) and keys[k] for k in ("p256dh", "auth"))
    ):
        raise InvalidInput(
            N_("The push subscription needs an endpoint and its keys."), code="invalid_push"
        )
    url = endpoint_url(endpoint, settings, code="invalid_push")
    if not is_push_service(url, settings):
        raise InvalidInput(
            N_("This push service is not one we send to."), code="push_service_refused"
        )
    value = {"endpoint": url, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}}
    return Contact(ChannelKind.PUSH, url, json.dumps(value, sort_keys=True))


def is_push_service(url: str, settings: Settings) -> bool:
    """The endpoint's host is in VECINOS_PUSH_SERVICES (`*.apple.com` names subdomains)."""
    host = (urlsplit(url).hostname or "").lower()
    for allowed in (s.strip().lower() for s in settings.push_services.split(",")):
        if allowed.startswith("*.") and host.endswith(allowed[1:]):
            return True
        if allowed and host == allowed:
            return True
    return False


def webhook(url: str, secret: str, settings: Settings) -> Contact:
    checked = endpoint_url(url, settings, code="invalid_webhook")
    value = json.dumps({"url": checked, "secret": secret}, sort_keys=True)
    return Contact(ChannelKind.WEBHOOK, checked, value)


def endpoint_url(url: str, settings: Settings, *, code: str) -> str:
    parts = urlsplit(url.strip())
    allowed = ("https", "http") if settings.outbound_allow_http else ("https",)
    if parts.scheme not in allowed or not parts.hostname or len(url) > 2000:
        raise InvalidInput(N_("The address must be an https URL."), code=code)
    if is_private_literal(parts.hostname) and not settings.outbound_allow_private:
        # A name is judged when the worker resolves it (`vecinos.outbound`); an address now.
        raise InvalidInput(N_("The address must be a public one."), code=code)
    return parts.geturl()


def index_of(contact: Contact, settings: Settings) -> str:
    return blind_index(settings.secret, BLIND_INDEX_PURPOSE, f"{contact.channel}:{contact.key}")


def phone_index(e164: str, settings: Settings, channel: ChannelKind = ChannelKind.SMS) -> str:
    return index_of(Contact(channel, e164, e164), settings)


def opened(sealed: bytes, settings: Settings) -> str:
    """The one way a subscriber's contact is read back (deliveries, opt-in messages): with the
    subscribers' data keys (`vecinos.keyring`); KeyDestroyed once its key is gone."""
    return keyring.subscribers(settings).open(sealed)


def seal(contact_value: str, vault: Vault, now: datetime) -> tuple[bytes, str]:
    """The contact sealed under the subscribers' current data key, and that key's id."""
    until = vault.period_of(now).start  # the key of the period now is in
    return vault.seal(contact_value, until=until), vault.key_id_for(until)
