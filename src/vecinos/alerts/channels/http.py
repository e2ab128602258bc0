"""All outbound HTTP of the channels goes through here (healthchecks' `hc/lib/curl.py` habit).

One place holds the time-out and the SSRF guard (`vecinos/outbound.py`: no private, loopback
or link-local address is ever called), turns network trouble into transient send errors, and
classifies status codes; tests point the channels at local servers through their URLs and
`VECINOS_OUTBOUND_ALLOW_PRIVATE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpcore
import httpx

from vecinos.alerts.channels.base import PermanentSendError, TransientSendError
from vecinos.config import Settings
from vecinos.outbound import GuardedBackend, PrivateAddressError

USER_AGENT = "vecinos-alerts/1"
# 404 and 410 from a push service or partner mean the endpoint is gone for good.
GONE = frozenset({404, 410})


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport, its connection pool opening sockets through the guard."""

    def __init__(self, *, allow_private: bool) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=GuardedBackend(allow_private=allow_private),
        )


class Http:
    def __init__(
        self,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
        *,
        allow_private: bool = False,
    ) -> None:
        self._client = httpx.Client(
            timeout=timeout,
            transport=transport or GuardedTransport(allow_private=allow_private),
            follow_redirects=False,  # a redirect to an internal address is not followed
            trust_env=False,  # no proxy from the environment: the guard is the way out
            headers={"User-Agent": USER_AGENT},
        )

    @classmethod
    def for_settings(cls, settings: Settings) -> Http:
        return cls(settings.outbound_timeout_seconds, allow_private=settings.outbound_allow_private)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> httpx.Response:
        try:
            return self._client.request(
                method, url, params=params, data=data, content=content, headers=headers, auth=auth
            )
        except httpx.TimeoutException as exc:
            raise TransientSendError(f"timed out: {url}", code="timeout") from exc
        except httpx.ConnectError as exc:
            if isinstance(exc.__cause__, PrivateAddressError):
                # Never going to be allowed: the subscription behind it is disabled.
                raise PermanentSendError(str(exc), code="private_address") from exc
            raise TransientSendError(f"ConnectError: {exc}", code="network") from exc
        except httpx.HTTPError as exc:
            raise TransientSendError(f"{type(exc).__name__}: {exc}", code="network") from exc

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self._client.close()


def check_status(response: httpx.Response) -> httpx.Response:
    """2xx passes; 404/410 and other 4xx are permanent; 408, 429 and 5xx are transient."""
    status = response.status_code
    if 200 <= status < 300:
        return response
    reason = f"HTTP {status}: {response.text[:200]}"
    if status in (408, 425, 429) or status >= 500:
        raise TransientSendError(reason, code=f"http_{status}")
    code = "gone" if status in GONE else f"http_{status}"
    raise PermanentSendError(reason, code=code)
