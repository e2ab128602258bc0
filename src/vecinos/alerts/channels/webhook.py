"""Partner webhooks: the alert as JSON, signed with HMAC-SHA256 over timestamp and body.

Headers: `X-Vecinos-Timestamp` (Unix seconds) and `X-Vecinos-Signature: v1=<hex>`, where the
MAC covers `"<timestamp>.<body>"`; partners reject old timestamps, so a captured request cannot
be replayed later. `Idempotency-Key` lets them drop a retried delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from vecinos.alerts.channels.base import OutboundMessage, PermanentSendError, SendResult
from vecinos.alerts.channels.http import Http, check_status
from vecinos.alerts.models import ChannelKind
from vecinos.clock import Clock

TIMESTAMP_HEADER = "X-Vecinos-Timestamp"
SIGNATURE_HEADER = "X-Vecinos-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(
    secret: str,
    body: bytes,
    timestamp: str | None,
    sent: str | None,
    *,
    now: datetime,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """What a partner runs (and our tests): the MAC matches and the timestamp is fresh."""
    if not timestamp or not sent or not timestamp.isdigit():
        return False
    if abs(now.timestamp() - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), sent)


class WebhookChannel:
    kind = ChannelKind.WEBHOOK

    def __init__(self, http: Http, clock: Clock) -> None:
        self.http = http
        self.clock = clock

    async def send(self, message: OutboundMessage) -> SendResult:
        try:
            target = json.loads(message.to)
            url, secret = str(target["url"]), str(target["secret"])
        except (ValueError, KeyError, TypeError) as exc:
            raise PermanentSendError("webhook contact is unreadable", code="bad_contact") from exc
        body = json.dumps(
            {"text": message.text, "language": message.language, **message.data},
            sort_keys=True,
            default=str,
        ).encode()
        timestamp = int(self.clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(secret, timestamp, body),
            "Idempotency-Key": message.idempotency_key,
        }
        check_status(await self.http.post(url, content=body, headers=headers))
        return SendResult(provider_id=message.idempotency_key or str(timestamp))

    async def aclose(self) -> None:
        """The connections are the shared `Http`'s, closed with it."""
