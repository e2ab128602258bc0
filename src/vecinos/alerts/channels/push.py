"""Web Push (RFC 8030) with message encryption (RFC 8291, aes128gcm) and VAPID (RFC 8292).

pywebpush encrypts the payload to the browser's keys and py_vapid signs the VAPID token; the
request itself goes through `Http` like every other. The push service keeps the message until
the alert expires (TTL) and no longer: a stale alert is worse than none.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from vecinos.alerts.channels.base import OutboundMessage, PermanentSendError, SendResult
from vecinos.alerts.channels.http import Http, check_status
from vecinos.alerts.contacts import is_push_service
from vecinos.alerts.models import ChannelKind
from vecinos.clock import Clock
from vecinos.config import Settings

DEFAULT_TTL = timedelta(hours=4)
VAPID_LIFETIME = timedelta(hours=12)  # the longest RFC 8292 allows is 24 h


def load_vapid(private_key: str) -> Any:
    # py_vapid and pywebpush (with `requests` under them) load when a push channel is built,
    # not when the web app starts: most processes never send a push message.
    from py_vapid import Vapid02

    if "-----BEGIN" in private_key:
        return Vapid02.from_pem(private_key.encode())
    return Vapid02.from_string(private_key)


class PushChannel:
    kind = ChannelKind.PUSH

    def __init__(self, settings: Settings, http: Http, clock: Clock) -> None:
        self.settings = settings
        self.vapid = load_vapid(settings.vapid_private_key.get_secret_value())
        self.subject = settings.vapid_subject
        self.http = http
        self.clock = clock

    def payload(self, message: OutboundMessage) -> bytes:
        return json.dumps(
            {"title": message.subject, "body": message.text, "url": message.link, **message.data},
            default=str,
        ).encode()

    def ttl(self, expires_at: datetime | None) -> int:
        left = (expires_at - self.clock.now()) if expires_at else DEFAULT_TTL
        return max(0, int(left.total_seconds()))

    async def send(self, message: OutboundMessage) -> SendResult:
        try:
            subscription = json.loads(message.to)
            endpoint = str(subscription["endpoint"])
        except (ValueError, KeyError, TypeError) as exc:
            raise PermanentSendError("push contact is unreadable", code="bad_contact") from exc
        if not is_push_service(endpoint, self.settings):
            # Stored before the list existed, or the list changed: never called.
            raise PermanentSendError("not a known push service", code="push_service_refused")
        from pywebpush import WebPusher  # loaded with the channel already (`load_vapid`)

        body = WebPusher(subscription).encode(self.payload(message), "aes128gcm")["body"]
        headers = {
            **self.vapid_headers(endpoint),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(self.ttl(message.expires_at)),
            "Urgency": "high",
        }
        reply = check_status(await self.http.post(endpoint, content=body, headers=headers))
        return SendResult(provider_id=reply.headers.get("location", message.idempotency_key))

    async def aclose(self) -> None:
        """The connections are the shared `Http`'s, closed with it."""

    def vapid_headers(self, endpoint: str) -> dict[str, str]:
        parts = urlsplit(endpoint)
        claims = {
            "aud": f"{parts.scheme}://{parts.netloc}",
            "sub": self.subject,
            "exp": int((self.clock.now() + VAPID_LIFETIME).timestamp()),
        }
        signed: dict[str, str] = self.vapid.sign(claims)
        return {"Authorization": signed["Authorization"]}
