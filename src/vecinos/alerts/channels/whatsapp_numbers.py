"""Whether WhatsApp is on, and a number as WhatsApp's address: what the hotline and the channel
builder ask without loading the channel itself (`whatsapp.py`, which brings Twilio's client)."""

from __future__ import annotations

from vecinos.config import Settings

PREFIX = "whatsapp:"


def configured(settings: Settings) -> bool:
    """Whether WhatsApp messages can go out for real (a sender and an account)."""
    return bool(settings.twilio_account_sid and settings.twilio_whatsapp_from)


def reachable(settings: Settings) -> bool:
    """Whether a message queued for WhatsApp goes anywhere: the provider, or the demo's inbox.
    A number is not kept for a channel that cannot send to it."""
    return configured(settings) or settings.demo_inbox


def address(e164: str) -> str:
    """`+12135550142` as WhatsApp's address on Twilio: `whatsapp:+12135550142`."""
    return e164 if e164.startswith(PREFIX) else PREFIX + e164
