"""Live streams are capped per process: one more is told to come back (503, Retry-After), in
the reader's language, and a closed stream frees its place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from tests.asyncio_helpers import run_soon
from vecinos import events
from vecinos.errors import Busy
from vecinos.web import sse
from vecinos.web.deps import AppContext
from vecinos.web.sse import Streams


async def forever() -> AsyncIterator[str]:
    while True:
        yield "event: ping\n\n"
        await asyncio.sleep(0)


def test_a_stream_past_the_cap_is_refused_until_one_closes() -> None:
    async def scenario() -> None:
        streams = Streams(limit=2)
        first, second = streams.response(forever()), streams.response(forever())
        with pytest.raises(Busy) as refused:
            streams.response(forever())
        assert refused.value.code == "too_many_streams" and refused.value.status_code == 503
        reading = cast(AsyncGenerator[str], first.body_iterator)
        assert await anext(reading) == "event: ping\n\n"
        await reading.aclose()  # the page went away
        assert streams.open == 1
        streams.response(forever())  # its place is free again
        assert streams.open == 2
        await cast(AsyncGenerator[str], second.body_iterator).aclose()

    run_soon(scenario())  # on a loop of its own: an earlier test may leave one running here


@pytest.mark.parametrize("path", ["/api/alerts/stream"])
def test_the_app_answers_a_full_house_with_503_and_a_time_to_retry(
    app: FastAPI, client: TestClient, path: str
) -> None:
    context: AppContext = app.state.context
    context.streams.open = context.streams.limit  # as if every place were taken
    answer = client.get(path, headers={"Accept-Language": "es"})
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "10"
    assert answer.json()["error"]["code"] == "too_many_streams"
    assert "demasiadas páginas en vivo" in answer.json()["error"]["message"]


def test_a_page_that_goes_away_frees_its_place_and_stops_listening() -> None:
    """Through the whole response, as the server runs it: the page reads `ready`, then its
    connection closes; the stream ends, its place is free, and the hub forgets its reader."""

    async def scenario() -> None:
        streams, hub = Streams(limit=1), events.Hub()
        sent: list[Message] = []
        left = asyncio.Event()

        async def live() -> AsyncIterator[sse.Chunk]:
            subscription = hub.subscribe(events.Topic.ALERTS)
            try:
                yield sse.READY
                while True:
                    await subscription.get(60)
            finally:
                subscription.close()

        async def send(message: Message) -> None:
            sent.append(message)
            if message.get("body", b"").startswith(b"event: ready"):
                left.set()

        async def receive() -> Message:
            await left.wait()
            return {"type": "http.disconnect"}

        scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
        await asyncio.wait_for(streams.response(live())(scope, receive, send), 10)
        assert sent[0]["status"] == 200
        assert streams.open == 0 and hub.readers == 0
        streams.response(live())  # its place is free again

    run_soon(scenario())
