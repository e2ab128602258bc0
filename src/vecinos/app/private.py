"""Whatever answers a signed-in browser is kept by no cache: `Cache-Control: no-store`.

Signed-in pages show people's reports, rosters and evidence. A shared or seized phone must not
keep them (in the HTTP cache, in the back button's memory, or in the service worker's cache,
which also refuses what says no-store), whoever wrote the page and whatever its path.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vecinos.accounts.sessions import COOKIE_NAME

_COOKIE = COOKIE_NAME.encode() + b"="


class PrivateWhenSignedIn:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _signed_in(scope):
            await self.app(scope, receive, send)
            return

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "no-store" not in headers.get("cache-control", ""):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_private)


def _signed_in(scope: Scope) -> bool:
    return any(name == b"cookie" and _COOKIE in value for name, value in scope["headers"])
