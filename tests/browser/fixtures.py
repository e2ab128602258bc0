"""Browser fixtures, shared by every test directory through the root conftest: one Playwright
and one Chromium per run (a second sync Playwright inside the first refuses to start)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine
from sse_starlette.sse import AppStatus

from vecinos.app.factory import create_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Without these, Chromium tries to reach Google's services at start-up; this machine has no
# network beyond loopback, and a browser test must never depend on one.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


START_SECONDS = 60  # generous: on a loaded 2-core machine start-up alone took over 10 s
GRACE_SECONDS = 5  # then uvicorn cancels what still runs: a stopped server leaves no thread


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=GRACE_SECONDS,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the test server stopped while starting (see its log)")
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        # `vecinos serve` ends its live streams on SIGTERM (sse-starlette hears uvicorn's
        # signal handler); a server in a thread gets no signal, and a test's pages stay open
        # until the browser closes, so their streams held every stop for the whole join.
        AppStatus.should_exit = True
        try:
            self.server.should_exit = True
            self.thread.join(timeout=GRACE_SECONDS + 5)
        finally:
            AppStatus.should_exit = False  # process-wide: the next test's server streams again
        if self.thread.is_alive():
            raise RuntimeError("the test server did not stop")


@pytest.fixture
def live_server(settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[LiveServer]:
    plain_http = settings.model_copy(
        update={"cookie_secure": False, "public_url": "http://127.0.0.1"}
    )
    with LiveServer(create_app(plain_http, engine=engine, clock=clock)) as server:
        yield server


@pytest.fixture
def demo_settings(settings: Settings) -> Settings:
    """As `vecinos demo` runs: what no provider is configured for lands in the demo inbox."""
    return settings.model_copy(
        update={"demo_inbox": True, "cookie_secure": False, "public_url": "http://127.0.0.1"}
    )


@pytest.fixture
def demo_server(
    demo_settings: Settings, engine: Engine, clock: FrozenClock
) -> Iterator[LiveServer]:
    app = create_app(demo_settings, engine=engine, clock=clock, allow_placeholder_secret=True)
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US")
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
