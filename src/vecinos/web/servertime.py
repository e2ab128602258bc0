"""`X-Server-Time` on every response: phones' clocks are often wrong, and countdowns for
offers and alert expiry must follow the server's."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vecinos.clock import Clock

HEADER = "X-Server-Time"


class ServerTimeMiddleware:
    def __init__(self, app: ASGIApp, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_time(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(HEADER, self.clock.now().isoformat())
            await send(message)

        await self.app(scope, receive, send_with_time)
