"""`vecinos serve` runs a worker thread beside the web app, started and stopped by its lifespan.

The app factory (and so every test) stays worker-free; only the serve path attaches one,
unless `VECINOS_WORKER_IN_PROCESS=false` (then run `vecinos worker` processes instead).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from vecinos.web.deps import AppContext
from vecinos.web.lifespan import run_beside
from vecinos.worker.runner import Worker

STOP_TIMEOUT_SECONDS = 30.0


def attach_worker(app: FastAPI) -> None:
    """A worker thread starts with the app and stops with it."""

    @asynccontextmanager
    async def worker_thread() -> AsyncIterator[None]:
        context: AppContext = app.state.context
        runner = Worker(context.sessions, context.settings, context.clock)
        stop = threading.Event()
        thread = threading.Thread(
            target=runner.run, args=(stop,), name="vecinos-worker", daemon=True
        )
        thread.start()
        app.state.worker_thread = thread
        try:
            yield
        finally:
            stop.set()
            thread.join(STOP_TIMEOUT_SECONDS)

    run_beside(app, worker_thread)
