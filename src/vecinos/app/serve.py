"""App factories for uvicorn (`--factory`): settings come from the environment at start-up."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from pathlib import Path
from secrets import token_hex

from fastapi import FastAPI
from pydantic import SecretStr

from vecinos.app.factory import create_app
from vecinos.app.lifespan import run_beside
from vecinos.config import load_settings
from vecinos.geo import postal


def production_app() -> FastAPI:
    return settled(served(create_app(load_settings())))


def demo_app() -> FastAPI:
    # Texts, e-mails and notifications no provider is configured for go to the demo inbox.
    settings = load_settings().model_copy(update={"demo_inbox": True})
    if not settings.twilio_auth_token.get_secret_value():
        # No provider: the phone simulator is the only one signing the hotline's webhooks.
        settings = settings.model_copy(update={"twilio_auth_token": SecretStr(token_hex(16))})
    if settings.public_url.startswith("http://"):
        # A laptop demo over plain HTTP: a Secure cookie would never come back.
        settings = settings.model_copy(update={"cookie_secure": False})
    return settled(served(create_app(settings, allow_placeholder_secret=True)))


def served(app: FastAPI) -> FastAPI:
    """What `vecinos serve` adds, as the settings say: the background worker, unless it is left
    to `vecinos worker` processes."""
    settings = app.state.context.settings
    if settings.worker_in_process:
        from vecinos.app.inprocess import attach_worker

        attach_worker(app)
    return app


def settled(app: FastAPI) -> FastAPI:
    """What start-up built (modules, routes, models, templates) lives as long as the process:
    moved out of the garbage collector's sight. Otherwise every full collection walks all of
    it again, which under the intake benchmark stopped the event loop for ~150 ms a few
    times a minute, the slowest answers of the run. `vecinos serve` keeps the collector off
    while it builds the app (`vecinos.cli.run_server`); it is on again from here."""
    _freeze_what_lives_on()
    gc.enable()
    # The ZIP codes (~240,000 objects) load beside the serving app: once they are in, settle
    # again, or every full collection walks them (~180 ms each, the texts benchmark's p99).
    run_beside(app, _settled_once_warm(app.state.context.settings.data_dir))
    return app


def _freeze_what_lives_on() -> None:
    gc.collect()
    gc.freeze()


def _settled_once_warm(data_dir: Path) -> Callable[[], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def helper() -> AsyncIterator[None]:
        settling = asyncio.create_task(asyncio.to_thread(_warm_then_freeze, data_dir))
        try:
            yield
        finally:
            await settling

    return helper


def _warm_then_freeze(data_dir: Path) -> None:
    # The load already under way beside the app: this waits for it. Should it fail, that
    # helper has said why, and what did load is settled all the same.
    with suppress(Exception):
        postal.warm(data_dir)
    _freeze_what_lives_on()
