"""Running a coroutine from a synchronous test; sending one message through a channel."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from vecinos.alerts.channels.base import Channel, OutboundMessage, SendResult

T = TypeVar("T")


def run_soon(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to its end on a new event loop in a thread of its own: the test's own
    thread may already run one (Playwright's sync API does, once a browser test started)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # handed back to the test's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    result: T = outcome["value"]
    return result


def send_once(channel: Channel, message: OutboundMessage) -> SendResult:
    """One message on an event loop of its own, then the channel's connections closed."""

    async def sending() -> SendResult:
        try:
            return await channel.send(message)
        finally:
            await channel.aclose()
            if (http := getattr(channel, "http", None)) is not None:
                await http.aclose()

    return run_soon(sending())
