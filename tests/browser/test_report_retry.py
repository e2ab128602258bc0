"""A report refused for now (503 with Retry-After, as a reverse proxy answers while the
server restarts) stays on the phone and is sent again by itself, with the same idempotency
key: the person sees their receipt and the report exists once."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from starlette.types import Message, Receive, Scope, Send

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import spanish
from vecinos.app.factory import create_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.reports.models import Report

pytestmark = pytest.mark.browser

BUSY = {"error": {"code": "busy", "message": "Vuelva a intentarlo en 1 segundos."}}


class RefusesFirstReport:
    """In front of the app: the first report is answered 503 with Retry-After (what a proxy
    says while the server behind it restarts); every report's idempotency key is noted."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.keys: list[str] = []
        self.url = ""
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) != ("POST", "/api/reports"):
            await self.app(scope, receive, send)
            return
        body = await _body(receive)
        with self._lock:
            self.keys.append(json.loads(body)["idempotency_key"])
            first = len(self.keys) == 1
        if first:
            await _refuse(send)
        else:
            await self.app(scope, _replay(body), send)


async def _body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _refuse(send: Send) -> None:
    headers = [(b"content-type", b"application/json"), (b"retry-after", b"1")]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(BUSY).encode()})


@pytest.fixture
def refusing(
    settings: Settings, engine: Engine, clock: FrozenClock
) -> Iterator[RefusesFirstReport]:
    plain_http = settings.model_copy(
        update={"cookie_secure": False, "public_url": "http://127.0.0.1"}
    )
    front = RefusesFirstReport(create_app(plain_http, engine=engine, clock=clock))
    server = LiveServer(front)  # type: ignore[arg-type]  # any ASGI app serves
    with server:
        front.url = server.url
        yield front


def reports(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Report)) or 0


def test_a_report_refused_for_now_is_sent_again_by_itself_once(
    browser: Browser, refusing: RefusesFirstReport, db: Session
) -> None:
    context = spanish(browser, "phone")
    page = context.new_page()
    page.goto(f"{refusing.url}/report")
    page.get_by_label("Agentes a pie").check()
    page.get_by_label("Patrulla Fronteriza (CBP)").check()
    page.locator("#map").click(position={"x": 150, "y": 120})
    expect(page.locator("#pin-status")).not_to_have_text("Aún no hay marcador.")
    page.get_by_role("button", name="Enviar reporte").click()

    status = page.get_by_role("status")
    expect(status).to_contain_text("El servidor está ocupado")
    expect(page.get_by_label("Agentes a pie")).not_to_be_checked()  # kept, not to be re-sent
    screenshot(page, "report-busy-es")
    expect(status).to_contain_text("Su reporte guardado se envió.", timeout=15_000)
    expect(status.get_by_role("link")).to_have_attribute("href", re.compile(r"/report/status/\S+$"))
    screenshot(page, "report-retried-es")

    assert reports(db) == 1
    assert len(refusing.keys) == 2 and refusing.keys[0] == refusing.keys[1]
    assert page.evaluate("JSON.parse(localStorage.getItem('vecinos.outbox')).length") == 0
    context.close()
