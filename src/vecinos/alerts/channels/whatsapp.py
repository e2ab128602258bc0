"""WhatsApp through Twilio, the provider SMS goes through, as a channel of its own.

Twilio's Messages resource carries both: a WhatsApp message is an SMS-shaped request whose
`From` and `To` say `whatsapp:+1…`. So the client, the transport, the status callback and the
error mapping are SMS's (`sms.py`); what differs is the sender (a WhatsApp-enabled number)
and the addresses. A subscriber's contact is stored as the bare E.164 number, as for SMS,
and gets its prefix only on the wire.

WhatsApp takes a plain message only within 24 hours of the person's last message to us; past
that, only a template Meta approved (`twilio_whatsapp_template_sid`), the message its variable.
"""

from __future__ import annotations

import json

from vecinos.alerts.channels.base import OutboundMessage, SendResult
from vecinos.alerts.channels.http import Http
from vecinos.alerts.channels.sms import SmsChannel
from vecinos.alerts.channels.whatsapp_numbers import PREFIX, address, configured, reachable
from vecinos.alerts.models import ChannelKind
from vecinos.config import Settings

__all__ = ["PREFIX", "WhatsAppChannel", "address", "configured", "reachable"]

# Twilio's answers that mean this number will never take our WhatsApp messages, beside SMS's:
# 63003 the number has no WhatsApp account, 63024 an invalid recipient.
DEAD_WHATSAPP_CODES = frozenset({63003, 63024})


class WhatsAppChannel(SmsChannel):
    kind = ChannelKind.WHATSAPP
    dead_codes = SmsChannel.dead_codes | DEAD_WHATSAPP_CODES

    def __init__(self, settings: Settings, http: Http) -> None:
        super().__init__(settings, http)
        self.sender = address(settings.twilio_whatsapp_from)
        self.template = settings.twilio_whatsapp_template_sid

    async def send(self, message: OutboundMessage) -> SendResult:
        to = address(message.to)
        if not self.template:  # delivered only within 24 h of the person's last message
            return await self._create(to=to, body=message.text)
        variables = json.dumps({"1": message.text}, ensure_ascii=False)
        return await self._create(to=to, content_sid=self.template, content_variables=variables)
