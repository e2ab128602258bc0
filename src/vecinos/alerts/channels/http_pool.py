"""The connection pool behind `http.Http`, on aiohttp: imported with a channel's first request.

The SSRF guard is here too: aiohttp's own threaded resolver, refusing a name if any of its
addresses is not public (`vecinos/outbound.py`), and no redirect followed.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from multidict import CIMultiDict
from yarl import URL

from vecinos.alerts.channels.base import PermanentSendError, TransientSendError
from vecinos.alerts.channels.http import CONNECTIONS_PER_HOST, USER_AGENT, Reply
from vecinos.outbound import PrivateAddressError, is_public, refuse_private_literal


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


class Pool:
    """One aiohttp session; made inside the running loop that will use it."""

    def __init__(self, timeout: float, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout),
            connector=aiohttp.TCPConnector(
                limit=0,
                limit_per_host=CONNECTIONS_PER_HOST,
                resolver=GuardedResolver(allow_private=allow_private),
            ),
            headers={"User-Agent": USER_AGENT},
            trust_env=False,  # no proxy from the environment: the guard is the way out
        )

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        auth: tuple[str, str] | None,
    ) -> Reply:
        sent = dict(headers or {})
        if auth:
            sent["Authorization"] = aiohttp.encode_basic_auth(*auth)
        body: Any = content if content is not None else (dict(data) if data else None)
        try:
            refuse_private_literal(URL(url).host, allow_private=self.allow_private)
            async with self._session.request(
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

    async def aclose(self) -> None:
        await self._session.close()
        await asyncio.sleep(0)  # let the connector's close callbacks run
