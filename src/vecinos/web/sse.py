"""Server-Sent Events: what every live stream of the app starts with, and how many may be open.

Each open stream holds a socket, a file descriptor and a queue in this process for as long as
the page stays open. `Streams` keeps their number under `VECINOS_SSE_MAX_STREAMS`: one more is
answered 503 with `Retry-After` (browsers' EventSource tries again by itself) rather than
letting the process run out of file descriptors and fail every request.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

from fastapi.responses import StreamingResponse

from vecinos.errors import Busy
from vecinos.i18n import N_

# Sent once the stream listens, on every (re)connection. A page loads its list on `ready`, so
# nothing published between its list and its stream is missed, on the first connection, after
# a dropped one, or when the server may have missed events (`events.RESYNC`). `retry` asks
# browsers to reconnect after three seconds.
READY = "retry: 3000\nevent: ready\ndata: {}\n\n"
RETRY_AFTER_SECONDS = 10
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


class Streams:
    """The open streams of one app, counted from the answer to the stream's end."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0
        self._lock = threading.Lock()

    def response(self, events: AsyncIterator[str]) -> StreamingResponse:
        """`events` as a stream, or Busy when `limit` streams are open already."""
        with self._lock:
            if self.open >= self.limit:
                raise Busy(
                    N_("Too many live pages are open right now; try again in {seconds} seconds."),
                    retry_after=RETRY_AFTER_SECONDS,
                    code="too_many_streams",
                )
            self.open += 1
        return StreamingResponse(
            self._counted(events), media_type="text/event-stream", headers=HEADERS
        )

    async def _counted(self, events: AsyncIterator[str]) -> AsyncIterator[str]:
        try:
            async for chunk in events:
                yield chunk
        finally:
            with self._lock:
                self.open -= 1
