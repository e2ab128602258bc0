"""`vecinos serve` runs the background work beside the web app, started and stopped by its
lifespan: periodic jobs and the delivery engine, each in a thread (`vecinos.app.background`).

The app factory (and so every test) stays worker-free; only the serve path attaches one,
unless `VECINOS_WORKER_IN_PROCESS=false` (then run `vecinos worker` processes instead).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from vecinos.app.background import Background
from vecinos.app.lifespan import run_beside
from vecinos.web.deps import AppContext

STOP_TIMEOUT_SECONDS = 30.0


def attach_worker(app: FastAPI) -> None:
    """The background work starts with the app and stops with it."""

    @asynccontextmanager
    async def background() -> AsyncIterator[None]:
        context: AppContext = app.state.context
        running = Background(
            app.state.engine, context.sessions, context.settings, context.clock, listen=False
        ).start()
        app.state.background = running
        try:
            yield
        finally:
            running.stop(STOP_TIMEOUT_SECONDS)

    run_beside(app, background)
