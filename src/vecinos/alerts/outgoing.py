"""From a stored alert to what a channel sends: the text in the subscriber's language, a
subject line, the idempotency key, the expiry (push TTL) and structured fields.

The text falls back from the subscriber's tag (`es-MX`) to its base language (`es`) to
English, the language every alert has. The channels themselves are `vecinos.alerts.channels`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from vecinos.alerts import texts
from vecinos.alerts.channels.base import OutboundMessage
from vecinos.alerts.models import AlertKind, ChannelKind
from vecinos.alerts.outbox_models import Alert
from vecinos.config import Settings


def text_for(alert: Alert, language: str) -> tuple[str, str]:
    """(language, text): the subscriber's own, else its base language, else English."""
    used = language_for(alert.texts, language)
    return used, alert.texts[used]


def language_for(found: Mapping[str, str], language: str) -> str:
    base = language.split("-")[0].lower()
    for candidate in (language, base, "en"):
        if candidate in found:
            return candidate
    return sorted(found)[0]  # pragma: no cover - publishing requires English


@dataclass(frozen=True)
class ChannelParts:
    """What one channel carries of an alert: a title or subject, and the text."""

    subject: str
    text: str


def parts_for(channel: ChannelKind, full: str, short: str, settings: Settings) -> ChannelParts:
    """The one place that decides which form goes where: SMS the full form (or the short one,
    `alert_sms_form`), WhatsApp the full form (no segments to pay for, no subject line), push
    and e-mail the short form as title/subject and the full as body."""
    if channel is ChannelKind.SMS:
        return ChannelParts("", short if settings.alert_sms_form == "short" else full)
    if channel is ChannelKind.WHATSAPP:
        return ChannelParts("", full)
    return ChannelParts(short, full)


def message_for(
    alert: Alert,
    language: str,
    to: str,
    idempotency_key: str,
    settings: Settings,
    channel: ChannelKind = ChannelKind.LOG,
) -> OutboundMessage:
    used, full = text_for(alert, language)
    short = alert.subjects.get(used) or alert.subjects.get("en", "")
    parts = parts_for(channel, full, short, settings)
    data = {"alert_id": alert.id, "kind": str(alert.kind), "unconfirmed": _unconfirmed(alert)}
    return OutboundMessage(
        to=to,
        text=parts.text,
        subject=parts.subject,
        language=used,
        idempotency_key=idempotency_key,
        expires_at=alert.expires_at,
        link=texts.rights_link(settings, language),
        data=data,
    )


class Messages:
    """Each alert's message made once per language and channel; a delivery adds its contact
    and key."""

    def __init__(self, alerts: Mapping[int, Alert], settings: Settings) -> None:
        self.alerts = alerts
        self.settings = settings
        self.made: dict[tuple[int, str, str], OutboundMessage] = {}

    def to(
        self, alert_id: int, language: str, contact: str, key: str, channel: str = "log"
    ) -> OutboundMessage:
        made = self.made.get((alert_id, language, channel))
        if made is None:
            alert, kind = self.alerts[alert_id], ChannelKind(channel)
            made = message_for(alert, language, "", "", self.settings, kind)
            self.made[(alert_id, language, channel)] = made
        # Its own copy of the structured fields, so no channel can change another's message.
        return replace(made, to=contact, idempotency_key=key, data={**made.data})


def _unconfirmed(alert: Alert) -> bool:
    return AlertKind(alert.kind) is AlertKind.UNCONFIRMED
