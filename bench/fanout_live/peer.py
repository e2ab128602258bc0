"""The fair peer: a bare Starlette app with sse-starlette broadcasting one event to every open
stream, as little as a live page needs and nothing else (no cap, no auth, no database, no
language, no event hub between threads). `python -m bench.fanout_live.peer PORT`.

`GET /stream` answers `ready`, then every event; `POST /publish` puts the body it is given on
every stream's queue and answers at once.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import uvicorn
from bench.fanout_live.holders import raise_open_file_limit
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

queues: set[asyncio.Queue[tuple[int, str]]] = set()
published = [0]  # the last event's id


async def events() -> AsyncIterator[ServerSentEvent]:
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue(100)
    queues.add(queue)
    try:
        yield ServerSentEvent("{}", event="ready", retry=3000, sep="\n")
        while True:
            number, data = await queue.get()
            yield ServerSentEvent(data, event="alert", id=str(number), sep="\n")
    finally:
        queues.discard(queue)


async def stream(_: Request) -> Response:
    return EventSourceResponse(events(), ping=15, sep="\n", send_timeout=30)


async def publish(request: Request) -> Response:
    body = (await request.body()).decode()
    published[0] += 1
    for queue in list(queues):
        if not queue.full():
            queue.put_nowait((published[0], body))
    return JSONResponse({"streams": len(queues)})


async def health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/stream", stream),
        Route("/publish", publish, methods=["POST"]),
        Route("/api/health", health),
    ]
)

if __name__ == "__main__":
    raise_open_file_limit()
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
