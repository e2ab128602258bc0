"""App factories for uvicorn (`--factory`): settings come from the environment at start-up."""

from __future__ import annotations

from fastapi import FastAPI

from vecinos.config import load_settings
from vecinos.web.app import create_app


def production_app() -> FastAPI:
    return with_worker(create_app(load_settings()))


def demo_app() -> FastAPI:
    settings = load_settings()
    if settings.public_url.startswith("http://"):
        # A laptop demo over plain HTTP: a Secure cookie would never come back.
        settings = settings.model_copy(update={"cookie_secure": False})
    return with_worker(create_app(settings, allow_placeholder_secret=True))


def with_worker(app: FastAPI) -> FastAPI:
    """The in-process background worker, unless the settings leave it to `vecinos worker`."""
    if app.state.context.settings.worker_in_process:
        from vecinos.worker.inprocess import attach_worker

        attach_worker(app)
    return app
