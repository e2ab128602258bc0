"""Live streams are capped per process: one more is told to come back (503, Retry-After), in
the reader's language, and a closed stream frees its place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from vecinos.errors import Busy
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

    asyncio.run(scenario())


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
