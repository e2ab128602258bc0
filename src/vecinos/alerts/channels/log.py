"""The demo's channel: the message goes to the log. The contact is never logged."""

from __future__ import annotations

import hashlib
import logging

from vecinos.alerts.channels.base import OutboundMessage, SendResult
from vecinos.alerts.models import ChannelKind

log = logging.getLogger("vecinos.alerts.log_channel")


class LogChannel:
    kind = ChannelKind.LOG

    async def send(self, message: OutboundMessage) -> SendResult:
        recipient = hashlib.sha256(message.to.encode()).hexdigest()[:12]
        provider_id = f"log-{message.idempotency_key or recipient}"
        log.info("alert to %s (%s): %s", recipient, message.language, message.text)
        return SendResult(provider_id=provider_id, status="delivered")

    async def aclose(self) -> None:
        """Nothing to close."""
