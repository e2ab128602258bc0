"""One delivery interface for every channel: a message in, a provider id out, or an error that
says whether trying again could ever help (healthchecks' transports, in spirit).

Channels are asynchronous: the delivery engine keeps many messages on the wire at once, so a
provider's latency, not our CPU, sets the pace. A channel is built once per engine and keeps
its connections (HTTP keep-alive, SMTP sessions) until `aclose`.

`permanent` is about the *contact*: a number that does not exist, a push subscription the
browser dropped. The worker disables the subscription then. A misconfigured server, a time-out
or a provider outage is transient: the delivery is retried and the subscriber kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from vecinos.alerts.models import ChannelKind


@dataclass(frozen=True)
class OutboundMessage:
    """What one recipient gets. `to` is the opened contact, as `contacts.Contact.value`."""

    to: str
    text: str
    subject: str = ""
    language: str = "en"
    idempotency_key: str = ""  # the delivery's key: a retry after a crash is recognisable
    expires_at: datetime | None = None  # push TTL; nothing is worth delivering after this
    link: str = ""  # where "more" leads (the rights page, the alert page)
    data: dict[str, Any] = field(default_factory=dict)  # structured fields for push/webhook


@dataclass(frozen=True)
class SendResult:
    provider_id: str  # Twilio's SM…, the Message-ID, the push service's Location, …
    status: str = "sent"


class SendError(Exception):
    def __init__(self, message: str, *, permanent: bool, code: str = "") -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class PermanentSendError(SendError):
    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message, permanent=True, code=code)


class TransientSendError(SendError):
    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message, permanent=False, code=code)


class Channel(Protocol):
    kind: ChannelKind

    async def send(self, message: OutboundMessage) -> SendResult: ...

    async def aclose(self) -> None:
        """Close the connections the channel keeps."""
        ...
