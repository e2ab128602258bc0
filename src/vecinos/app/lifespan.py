"""Helpers that live as long as the app: started before it serves, stopped after it is done."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from vecinos import events


def run_beside(app: FastAPI, helper: Callable[[], AbstractAsyncContextManager[None]]) -> None:
    """Wrap the app's lifespan in `helper`, entered at start-up and left at shutdown."""
    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(asgi_app: Any) -> AsyncIterator[Any]:
        async with helper(), original(asgi_app) as state:
            yield state

    app.router.lifespan_context = lifespan


def listening(engine: Engine) -> Callable[[], AbstractAsyncContextManager[None]]:
    """While the app runs, it hears the events other processes emit (`vecinos.events`)."""

    @asynccontextmanager
    async def helper() -> AsyncIterator[None]:
        with events.listening(engine):  # waits, at start-up only, until LISTEN is in place
            yield

    return helper
