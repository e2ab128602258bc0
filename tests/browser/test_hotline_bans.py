"""The hotline's ban list, in Spanish, at a desk and on a phone: a coordinator bans a caller
from the call log (no number anywhere on the page) and lifts the ban again."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect
from pydantic import SecretStr
from sqlalchemy import Engine
from twilio.request_validator import RequestValidator

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import Cast
from vecinos.app.factory import create_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings

pytestmark = pytest.mark.browser
TOKEN = "ban-list-token"
PUBLIC = "https://vecinos.test"


@pytest.fixture
def server(settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[LiveServer]:
    changed = {"twilio_auth_token": SecretStr(TOKEN), "public_url": PUBLIC, "cookie_secure": False}
    app = create_app(
        settings.model_copy(update=changed),
        engine=engine,
        clock=clock,
        allow_placeholder_secret=True,
    )
    with LiveServer(app) as live:
        yield live


def call_in(server: LiveServer, sid: str, caller: str) -> None:
    path = "/api/hotline/voice/incoming"
    fields = {"CallSid": sid, "From": caller}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, fields)
    answer = httpx.post(server.url + path, data=fields, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_a_coordinator_bans_from_the_call_log_and_lifts_the_ban(
    browser: Browser, server: LiveServer, cast: Cast, size: str
) -> None:
    call_in(server, "CA" + "1" * 32, "+13235550177")
    call_in(server, "CA" + "2" * 32, "anonymous")
    page = spanish(browser, size).new_page()
    sign_in(page, server, cast, cast.elena, "/dispatch/hotline/bans")
    expect(page.get_by_role("heading", name="Lista de bloqueos de la línea")).to_be_visible()
    banned = page.get_by_role("region", name="Personas bloqueadas")
    log = page.get_by_role("region", name="Historial de llamadas")
    expect(banned).to_contain_text("Nadie está bloqueado.")
    expect(log.locator("#call-2")).to_contain_text("número oculto")
    expect(log.locator("#call-2").get_by_role("button")).to_have_count(0)
    log.locator("#call-1").get_by_role("button", name="Bloquear a quien llama").click()
    expect(banned).to_contain_text("Bloqueada a las")
    expect(banned).to_contain_text("1 llamada en el registro, la última L-1")
    expect(log.locator("#call-1")).to_contain_text("bloqueado")
    assert "555" not in page.content()  # no number, not even hidden in the page
    no_overflow(page)
    screenshot(page, f"hotline-bans-{size}")
    banned.get_by_role("button", name="Quitar el bloqueo").click()
    expect(banned).to_contain_text("Nadie está bloqueado.")
    expect(
        log.locator("#call-1").get_by_role("button", name="Bloquear a quien llama")
    ).to_be_visible()
