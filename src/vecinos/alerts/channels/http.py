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
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from multidict import CIMultiDict
from yarl import URL

from vecinos.alerts.channels.base import PermanentSendError, TransientSendError
from vecinos.config import Settings
from vecinos.outbound import PrivateAddressError, is_public, refuse_private_literal

USER_AGENT = "vecinos-alerts/1"
# 404 and 410 from a push service or partner mean the endpoint is gone for good.
GONE = frozenset({404, 410})
CONNECTIONS_PER_HOST = 64  # a provider sees at most this many of our connections


class GuardedResolver(AbstractResolver):
    """aiohttp's own threaded resolver, refusing a name if any of its addresses is not public:
    a name with one public and one private address could be made to land on the private one."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._resolver = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        refused = [result["host"] for result in found if not is_public(result["host"])]
        if refused and not self.allow_private:
            raise PrivateAddressError(f"{host} resolves to a non-public address ({refused[0]})")
        return found

    async def close(self) -> None:
        await self._resolver.close()


@dataclass(frozen=True)
class Reply:
    status: int
    text: str
    headers: CIMultiDict[str]


class Http:
    """One connection pool for the channels of an engine; made and used on one event loop."""

    def __init__(self, timeout: float, *, allow_private: bool = False) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.allow_private = allow_private
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> Http:
        return cls(settings.outbound_timeout_seconds, allow_private=settings.outbound_allow_private)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:  # inside the running loop that will use it
            self._session = aiohttp.ClientSession(
                timeout=self.timeout,
                connector=aiohttp.TCPConnector(
                    limit=0,
                    limit_per_host=CONNECTIONS_PER_HOST,
                    resolver=GuardedResolver(allow_private=self.allow_private),
                ),
                headers={"User-Agent": USER_AGENT},
                trust_env=False,  # no proxy from the environment: the guard is the way out
            )
        return self._session

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
        sent = dict(headers or {})
        if auth:
            sent["Authorization"] = aiohttp.encode_basic_auth(*auth)
        body: Any = content if content is not None else (dict(data) if data else None)
        try:
            refuse_private_literal(URL(url).host, allow_private=self.allow_private)
            async with self._client().request(
                method,
                url,
                params=dict(params) if params else None,
                data=body,
                headers=sent,
                allow_redirects=False,  # a redirect to an internal address is not followed
            ) as response:
                return Reply(response.status, await response.text(), CIMultiDict(response.headers))
        except TimeoutError as exc:
            raise TransientSendError(f"timed out: {url}", code="timeout") from exc
        except (aiohttp.ClientError, OSError) as exc:
            if isinstance(exc, PrivateAddressError) or isinstance(
                exc.__cause__, PrivateAddressError
            ):
                # Never going to be allowed: the subscription behind it is disabled.
                raise PermanentSendError(str(exc), code="private_address") from exc
            raise TransientSendError(f"{type(exc).__name__}: {exc}", code="network") from exc

    async def post(self, url: str, **kwargs: Any) -> Reply:
        return await self.request("POST", url, **kwargs)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
            await asyncio.sleep(0)  # let the connector's close callbacks run


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
