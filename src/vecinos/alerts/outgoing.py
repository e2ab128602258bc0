"""From a stored alert to what a channel sends: the text in the subscriber's language, a
subject line, the idempotency key, the expiry (push TTL) and structured fields.

The text falls back from the subscriber's tag (`es-MX`) to its base language (`es`) to
English, the language every alert has. The channels themselves are `vecinos.alerts.channels`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from vecinos.alerts import texts
from vecinos.alerts.channels import channels_for
from vecinos.alerts.channels.base import Channel, OutboundMessage
from vecinos.alerts.models import AlertKind, ChannelKind
from vecinos.alerts.outbox_models import Alert
from vecinos.clock import FrozenClock
from vecinos.config import Settings


def text_for(alert: Alert, language: str) -> tuple[str, str]:
    """(language, text): the subscriber's own, else its base language, else English."""
    base = language.split("-")[0].lower()
    for candidate in (language, base, "en"):
        if candidate in alert.texts:
            return candidate, alert.texts[candidate]
    first = sorted(alert.texts)[0]  # pragma: no cover - publishing requires English
    return first, alert.texts[first]


def message_for(
    alert: Alert, language: str, to: str, idempotency_key: str, settings: Settings
) -> OutboundMessage:
    used, text = text_for(alert, language)
    subject = alert.subjects.get(used) or alert.subjects.get("en", "")
    data = {"alert_id": alert.id, "kind": str(alert.kind), "unconfirmed": _unconfirmed(alert)}
    return OutboundMessage(
        to=to,
        text=text,
        subject=subject,
        language=used,
        idempotency_key=idempotency_key,
        expires_at=alert.expires_at,
        link=texts.rights_link(settings, language),
        data=data,
    )


class Messages:
    """Each alert's message made once per language; a delivery adds its contact and key."""

    def __init__(self, alerts: Mapping[int, Alert], settings: Settings) -> None:
        self.alerts = alerts
        self.settings = settings
        self.made: dict[tuple[int, str], OutboundMessage] = {}

    def to(self, alert_id: int, language: str, contact: str, key: str) -> OutboundMessage:
        made = self.made.get((alert_id, language))
        if made is None:
            made = message_for(self.alerts[alert_id], language, "", "", self.settings)
            self.made[(alert_id, language)] = made
        # Its own copy of the structured fields, so no channel can change another's message.
        return replace(made, to=contact, idempotency_key=key, data={**made.data})


def _unconfirmed(alert: Alert) -> bool:
    return AlertKind(alert.kind) is AlertKind.UNCONFIRMED


def build_channels(settings: Settings, now: datetime) -> dict[ChannelKind, Channel]:
    """The configured channels for one round; their clock is the round's (signatures, TTLs)."""
    return channels_for(settings, FrozenClock(now))
