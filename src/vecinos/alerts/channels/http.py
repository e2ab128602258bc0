"""All outbound HTTP of the channels goes through here (healthchecks' `hc/lib/curl.py` habit).

One place holds the time-out, the connection pool and the SSRF guard (`vecinos/outbound.py`:
no private, loopback or link-local address is ever called), turns network trouble into
transient send errors and classifies status codes; tests point the channels at local servers
through their URLs and `VECINOS_OUTBOUND_ALLOW_PRIVATE`.

aiohttp, not httpx: at a provider latency of 100 ms and 100 requests in flight, httpx's
AsyncClient spent about 15 ms of CPU per request on this machine against aiohttp's 0.3 ms
(client and stand-in together), and CPU is what bounds how many messages one worker keeps on
the wire (docs/benchmarks.md). Both push services and Twilio accept HTTP/1.1; connections are
kept alive and reused. aiohttp is also what the Twilio and Web Push libraries use.

aiohttp itself (about a tenth of a second to import) lives in `http_pool`, loaded with the
first request: the delivery engine builds its channels as `vecinos serve` starts, and most
starts send nothing over HTTP for a while, if ever (no partner webhook, no push).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDict

from vecinos.alerts.channels.base import PermanentSendError, TransientSendError
from vecinos.config import Settings

if TYPE_CHECKING:
    from vecinos.alerts.channels.http_pool import Pool

USER_AGENT = "vecinos-alerts/1"
# 404 and 410 from a push service or partner mean the endpoint is gone for good.
GONE = frozenset({404, 410})
CONNECTIONS_PER_HOST = 64  # a provider sees at most this many of our connections


@dataclass(frozen=True)
class Reply:
    status: int
    text: str
    headers: CIMultiDict[str]


class Http:
    """One connection pool for the channels of an engine; made and used on one event loop."""

    def __init__(self, timeout: float, *, allow_private: bool = False) -> None:
        self.timeout = timeout
        self.allow_private = allow_private
        self._pool: Pool | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> Http:
        return cls(settings.outbound_timeout_seconds, allow_private=settings.outbound_allow_private)

    def _client(self) -> Pool:
        if self._pool is None:  # inside the running loop that will use it
            from vecinos.alerts.channels.http_pool import Pool  # aiohttp: with the first request

            self._pool = Pool(self.timeout, allow_private=self.allow_private)
        return self._pool

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> Reply:
        return await self._client().request(
            method, url, params=params, data=data, content=content, headers=headers, auth=auth
        )

    async def post(self, url: str, **kwargs: Any) -> Reply:
        return await self.request("POST", url, **kwargs)

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None


def check_status(reply: Reply) -> Reply:
    """2xx passes; 404/410 and other 4xx are permanent; 408, 429 and 5xx are transient."""
    status = reply.status
    if 200 <= status < 300:
        return reply
    reason = f"HTTP {status}: {reply.text[:200]}"
    if status in (408, 425, 429) or status >= 500:
        raise TransientSendError(reason, code=f"http_{status}")
    code = "gone" if status in GONE else f"http_{status}"
    raise PermanentSendError(reason, code=code)
