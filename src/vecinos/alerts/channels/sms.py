"""SMS through Twilio's REST API with the official client, its HTTP going through `Http`.

`TwilioTransport` is a twilio `AsyncHttpClient`: the client builds Twilio's own URLs and form
bodies, and the transport moves them to `twilio_base_url` (a stand-in server in tests, a
regional edge or proxy in production) over the one outbound wrapper, with its time-out and
its kept-alive connections.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

from vecinos.alerts.channels.base import (
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
)
from vecinos.alerts.channels.http import Http
from vecinos.alerts.models import ChannelKind
from vecinos.config import Settings

# Twilio error codes that mean this number will never take our texts.
# 21211 invalid 'To', 21214 not reachable, 21610 the recipient replied STOP, 21612 not
# routable, 21614 not a mobile number, 21408 region not enabled for this number.
DEAD_NUMBER_CODES = frozenset({21211, 21214, 21610, 21612, 21614, 21408})


class TwilioTransport(AsyncHttpClient):  # type: ignore[misc]  # twilio ships no type hints
    def __init__(self, http: Http, base_url: str) -> None:
        super().__init__(logger=logging.getLogger("vecinos.alerts.twilio"), is_async=True)
        self.http = http
        self.base = urlsplit(base_url.rstrip("/"))

    def rebase(self, url: str) -> str:
        parts = urlsplit(url)
        path = self.base.path + parts.path
        return urlunsplit((self.base.scheme, self.base.netloc, path, parts.query, ""))

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> TwilioResponse:
        reply = await self.http.request(
            method, self.rebase(uri), params=params, data=data, headers=headers, auth=auth
        )
        return TwilioResponse(reply.status, reply.text, reply.headers)


class SmsChannel:
    kind = ChannelKind.SMS
    dead_codes = DEAD_NUMBER_CODES

    def __init__(self, settings: Settings, http: Http) -> None:
        self.http = http
        self.sender = settings.twilio_from_number
        # Twilio reports delivered / failed to this address (alerts/publish_routes.py).
        self.status_callback = settings.public_url.rstrip("/") + "/api/alerts/sms/status"
        self.client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            http_client=TwilioTransport(http, settings.twilio_base_url),
        )

    async def send(self, message: OutboundMessage) -> SendResult:
        return await self._create(to=message.to, body=message.text)

    async def _create(self, *, to: str, **content: str) -> SendResult:
        """`content`: `body=`, or a template's `content_sid=` and `content_variables=`."""
        try:
            sent = await self.client.messages.create_async(
                to=to, from_=self.sender, status_callback=self.status_callback, **content
            )
        except TwilioRestException as exc:
            raise classify(exc, self.dead_codes) from exc
        return SendResult(provider_id=str(sent.sid), status=str(sent.status or "queued"))

    async def aclose(self) -> None:
        """The connections are the shared `Http`'s, closed with it."""


def classify(
    exc: TwilioRestException, dead_codes: frozenset[int] = DEAD_NUMBER_CODES
) -> PermanentSendError | TransientSendError:
    code = f"twilio_{exc.code or exc.status}"
    if exc.code in dead_codes:
        return PermanentSendError(str(exc.msg), code=code)
    # Everything else (auth, rate limits, outages) is ours or Twilio's, not the number's.
    return TransientSendError(str(exc.msg), code=code)
