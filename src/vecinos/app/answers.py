"""What every answer carries, set in one pass over its first message: `no-store` for a
signed-in browser (`app.private`), the server's time (`web.servertime`), the security headers
and the default `no-store` (`web.headers`); then one access-log line (`web.accesslog`).

One middleware, not four: each ASGI layer wraps every message an answer sends, and a live
alerts stream sends one per event to thousands of pages at once. Outermost, so an answer made
by another middleware (the body limit's 413) carries them too.
"""

from __future__ import annotations

import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vecinos.app.private import keep_private, signed_in
from vecinos.clock import Clock
from vecinos.config import Settings
from vecinos.web import accesslog, servertime
from vecinos.web.headers import SecurityHeaders


class EveryAnswer:
    def __init__(self, app: ASGIApp, settings: Settings, clock: Clock) -> None:
        self.app = app
        self.security = SecurityHeaders(settings)
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope["path"]
        private = signed_in(scope)
        status = 500  # what the log says if the app fails before answering

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                if private:
                    keep_private(headers)
                servertime.stamp(headers, self.clock)
                self.security.harden(headers, path)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            accesslog.note(scope, status, started)
