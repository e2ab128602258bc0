"""No request body larger than `VECINOS_REQUEST_MAX_BYTES`, whatever route it is sent to.

Every JSON or form route would otherwise read any body whole into memory before a model could
refuse it (a 20 MB push subscription was once read and stored). Routes that stream a file to
disk with their own, larger limit (evidence uploads, recording chunks, a report's photo) are
marked with `@streams_body` and left to that limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi.responses import JSONResponse
from fastapi.routing import RouteContext
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vecinos.i18n import N_, gettext

F = TypeVar("F", bound=Callable[..., Any])
MARK = "vecinos_streams_body"
TOO_LARGE = N_("The request is larger than {max} bytes.")


def streams_body(endpoint: F) -> F:
    """For a route that reads its body as a stream with a limit of its own."""
    setattr(endpoint, MARK, True)
    return endpoint


def streamed_paths(routes: Iterable[RouteContext]) -> list[re.Pattern[str]]:
    from vecinos.web.policy import api_only

    return [
        compile_path(route.path)[0]
        for route in api_only(routes)
        if route.path and getattr(getattr(route.original_route, "endpoint", None), MARK, False)
    ]


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int, streamed: list[re.Pattern[str]]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = streamed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(p.match(scope["path"]) for p in self.streamed):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is None and b"transfer-encoding" not in headers:
            # No length and not chunked: HTTP/1.1 says there is no body (a GET, a live
            # stream), and nothing to count; its answer is not wrapped, so a stream's every
            # send skips this layer.
            await self.app(scope, receive, send)
            return
        if declared is not None:
            if declared.isdigit() and int(declared) > self.max_bytes:
                await self._refuse(scope, receive, send)
            else:  # the server holds the body to its declared length
                await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A body without a length (chunked): counted as it comes; past the limit the app is
        told the client left, and whatever it answers is replaced by the 413."""
        size, over = 0, False

        async def counting() -> Message:
            nonlocal size, over
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > self.max_bytes:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def unless_over(message: Message) -> None:
            if not over:
                await send(message)

        await self.app(scope, counting, unless_over)
        if over:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from vecinos.web.errors import error_body, language_of

        message = gettext(language_of(Request(scope)), TOO_LARGE).format(max=self.max_bytes)
        answer = JSONResponse(error_body("payload_too_large", message), status_code=413)
        await answer(scope, receive, send)
