"""Delivery channels behind one interface (`base.Channel`): SMS, WhatsApp, e-mail, Web Push, partner
webhooks and the demo's log. `channels_for(settings)` builds the ones the settings enable,
sharing one HTTP connection pool, as `Channels`: a mapping by kind that closes them all.

Each channel's module (and its provider's library: aiohttp, twilio, aiosmtplib) is imported
where the channel is built, not here: the web app imports this package for the interface
(`base`), and should not load every provider's client to start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecinos.alerts.channels import whatsapp_numbers
from vecinos.alerts.channels.base import Channel
from vecinos.alerts.models import ChannelKind
from vecinos.clock import Clock
from vecinos.config import Settings

if TYPE_CHECKING:
    from vecinos.alerts.channels.http import Http

# What the demo inbox stands in for when no provider is configured.
DEMO_INBOX_CHANNELS = (ChannelKind.SMS, ChannelKind.WHATSAPP, ChannelKind.EMAIL, ChannelKind.PUSH)


class Channels(dict[ChannelKind, Channel]):
    """The configured channels by kind, and the connection pool they share."""

    def __init__(self, found: dict[ChannelKind, Channel], http: Http | None = None) -> None:
        super().__init__(found)
        self.http = http

    async def aclose(self) -> None:
        for channel in self.values():
            await channel.aclose()
        if self.http is not None:
            await self.http.aclose()


def channels_for(settings: Settings, clock: Clock, http: Http | None = None) -> Channels:
    """Every channel the settings configure; the log channel always; in the demo, the inbox
    for SMS, WhatsApp, e-mail and push when they are not configured."""
    from vecinos.alerts.channels.http import Http
    from vecinos.alerts.channels.log import LogChannel
    from vecinos.alerts.channels.webhook import WebhookChannel

    http = http or Http.for_settings(settings)
    found: dict[ChannelKind, Channel] = {
        ChannelKind.LOG: LogChannel(),
        ChannelKind.WEBHOOK: WebhookChannel(http, clock),
    }
    if settings.twilio_account_sid and settings.twilio_from_number:
        from vecinos.alerts.channels.sms import SmsChannel

        found[ChannelKind.SMS] = SmsChannel(settings, http)
    if whatsapp_numbers.configured(settings):
        from vecinos.alerts.channels.whatsapp import WhatsAppChannel

        found[ChannelKind.WHATSAPP] = WhatsAppChannel(settings, http)
    if settings.smtp_host:
        from vecinos.alerts.channels.email import EmailChannel

        found[ChannelKind.EMAIL] = EmailChannel(settings, settings.alert_email_in_flight)
    if settings.vapid_private_key.get_secret_value():
        from vecinos.alerts.channels.push import PushChannel

        found[ChannelKind.PUSH] = PushChannel(settings, http, clock)
    if settings.demo_inbox:
        from vecinos.alerts.channels.inbox import InboxChannel

        for kind in DEMO_INBOX_CHANNELS:
            found.setdefault(kind, InboxChannel(kind, settings, clock))
    return Channels(found, http)
