"""Server-Sent Events: what every live stream of the app starts with, and how many may be open.

The wire format, the keep-alive pings, and noticing a page that went away are sse-starlette's
(`EventSourceResponse`); a stream here is only the events it carries. Each open stream holds a
socket, a file descriptor and a queue in this process for as long as the page stays open.
`Streams` keeps their number under `VECINOS_SSE_MAX_STREAMS`: one more is answered 503 with
`Retry-After` (browsers' EventSource tries again by itself) rather than letting the process
run out of file descriptors and fail every request.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncGenerator, AsyncIterator

from sse_starlette import EventSourceResponse, ServerSentEvent

from vecinos.errors import Busy
from vecinos.i18n import N_

# Sent once the stream listens, on every (re)connection. A page loads its list on `ready`, so
# nothing published between its list and its stream is missed, on the first connection, after
# a dropped one, or when the server may have missed events (`events.RESYNC`). `retry` asks
# browsers to reconnect after three seconds.
SEP = "\n"


def event(
    name: str, data: str, *, id: str | None = None, retry: int | None = None
) -> ServerSentEvent:
    """One event as every stream of the app writes it (lines end in a bare newline)."""
    return ServerSentEvent(data, event=name, id=id, retry=retry, sep=SEP)


READY = event("ready", "{}", retry=3000)
RETRY_AFTER_SECONDS = 10
PING_SECONDS = 15  # a comment line this often keeps proxies from closing a quiet stream
# A page that stops reading (a phone asleep on a stalled connection) is dropped after this,
# rather than holding its place and a buffer while the others are served.
SEND_TIMEOUT_SECONDS = 30.0
HEADERS = {"Cache-Control": "no-store"}

Chunk = ServerSentEvent | str | bytes  # bytes: an event written once for many streams


class Streams:
    """The open streams of one app, counted from the answer to the stream's end."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0
        self._lock = threading.Lock()

    def response(self, events: AsyncIterator[Chunk]) -> EventSourceResponse:
        """`events` as a stream, or Busy when `limit` streams are open already."""
        with self._lock:
            if self.open >= self.limit:
                raise Busy(
                    N_("Too many live pages are open right now; try again in {seconds} seconds."),
                    retry_after=RETRY_AFTER_SECONDS,
                    code="too_many_streams",
                )
            self.open += 1
        return EventSourceResponse(
            self._counted(events),
            headers=HEADERS,
            ping=PING_SECONDS,
            sep=SEP,
            send_timeout=SEND_TIMEOUT_SECONDS,
        )

    async def _counted(self, events: AsyncIterator[Chunk]) -> AsyncIterator[Chunk]:
        # Ends however the stream does: its last event, the page leaving (sse-starlette
        # cancels the stream), a stalled send, or the server shutting down.
        try:
            async for chunk in events:
                yield chunk
        finally:
            with self._lock:
                self.open -= 1
            if isinstance(events, AsyncGenerator):
                await events.aclose()  # its own clean-up (unsubscribing) now, not at GC
