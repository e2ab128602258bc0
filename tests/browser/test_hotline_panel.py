"""The console's hotline panel, in Spanish: a dispatcher declares a number and goes on duty; a
call rings them (signed webhooks, as Twilio sends them), the panel shows it ringing, then taken
by them; a message left and brought home plays from our own storage; at 390 px the panel fits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree import ElementTree

import httpx
import pytest
from playwright.sync_api import Browser, expect
from pydantic import SecretStr
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import Cast
from tests.hotline.factories import on_hotline_shift
from vecinos.app.factory import create_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.evidence.storage import storage_for
from vecinos.hotline import writeups
from vecinos.hotline.call_models import HotlineCall

pytestmark = pytest.mark.browser
TOKEN = "console-panel-token"
PUBLIC = "https://vecinos.test"


@pytest.fixture
def panel_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"twilio_auth_token": SecretStr(TOKEN), "public_url": PUBLIC, "cookie_secure": False}
    )


@pytest.fixture
def server(panel_settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[LiveServer]:
    app = create_app(panel_settings, engine=engine, clock=clock, allow_placeholder_secret=True)
    with LiveServer(app) as live:
        yield live


def webhook(server: LiveServer, url_or_path: str, **fields: str) -> ElementTree.Element:
    """Post as Twilio: signed over the public URL it was given."""
    path = url_or_path.removeprefix(PUBLIC)
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, fields)
    answer = httpx.post(server.url + path, data=fields, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200, answer.text
    return ElementTree.fromstring(answer.text)  # noqa: S314 - our own TwiML


def test_duty_a_call_taken_and_a_message_with_a_player(
    browser: Browser,
    server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    panel_settings: Settings,
    clock: FrozenClock,
) -> None:
    page = spanish(browser, "desk").new_page()
    sign_in(page, server, cast, cast.dario, "/dispatch")
    panel = page.get_by_role("region", name="Línea de ayuda")
    panel.get_by_label("Su número de teléfono para la línea").fill("(213) 555-0111")
    panel.get_by_role("button", name="Guardar el número").click()
    panel.get_by_role("button", name="Entrar de turno en la línea").click()
    expect(panel.get_by_role("status")).to_have_text(
        "Está de turno en la línea, pero hoy no registró su llegada a un turno de la línea: "
        "las llamadas no suenan en su teléfono hasta que la registre."
    )
    on_hotline_shift(sessions, cast, panel_settings, cast.dario)  # today's check-in
    page.reload()
    expect(panel.get_by_role("status")).to_have_text(
        "Está de turno en la línea: las llamadas suenan en su teléfono."
    )
    expect(panel).not_to_contain_text("555")  # the number is shown to nobody

    sid = {"CallSid": "CA" + "1" * 32, "From": "+13235550177"}
    webhook(server, "/api/hotline/voice/incoming", **sid)
    webhook(server, "/api/hotline/voice/language", **sid, Digits="1")
    ring = webhook(server, "/api/hotline/voice/menu", **sid, Digits="1")
    number = ring.find("Dial/Number")
    assert number is not None and number.text == "+12135550111"
    calls = panel.locator("#hotline-calls")
    # Told by the live stream, no polling; the waiting time counts up in the page.
    expect(calls).to_contain_text(re.compile(r"español · Sonando desde hace \d+ s"))
    clock.advance(seconds=7)
    whisper = webhook(server, number.get("url", ""), CallSid="CA" + "2" * 32)
    accept = whisper.find("Gather")
    assert accept is not None
    webhook(server, accept.get("action", ""), CallSid="CA" + "2" * 32, Digits="1")
    expect(calls).to_contain_text("Tomada por Dario a los 7 s")
    screenshot(page, "console-hotline-taken-desk")

    other = {"CallSid": "CA" + "3" * 32, "From": "+13235550178"}
    webhook(server, "/api/hotline/voice/incoming", **other)
    webhook(server, "/api/hotline/voice/language", **other, Digits="2")
    record = webhook(server, "/api/hotline/voice/menu", **other, Digits="2").find("Record")
    assert record is not None
    webhook(
        server,
        record.get("action", ""),
        **other,
        RecordingSid="RE" + "3" * 32,
        RecordingDuration="9",
    )
    expect(calls).to_contain_text("Mensaje (todavía se está descargando)")
    with transaction(sessions) as db:  # as the worker would: fetched into our storage
        storage_for(panel_settings).put_bytes("hotline/test.wav", b"RIFF0000WAVE")
        db.execute(
            update(HotlineCall)
            .where(HotlineCall.call_sid == other["CallSid"])
            .values(recording_key="hotline/test.wav", recording_state="deleted")
        )
        stored = db.scalars(
            select(HotlineCall.id).where(HotlineCall.call_sid == other["CallSid"])
        ).one()
        writeups.changed(db, stored)
    player = calls.locator("audio")
    expect(player).to_have_count(1)
    assert player.get_attribute("src", timeout=5000) is not None
    expect(calls).to_contain_text("inglés · Mensaje, 9 s")
    expect(calls.get_by_role("link", name="Escribirlo como reporte").first).to_have_attribute(
        "href", f"/dispatch/hotline/calls/{stored}"
    )
    no_overflow(page)
    screenshot(page, "console-hotline-message-desk")

    clock.advance(seconds=30)  # a fresh TOTP step: a used code is refused
    phone = spanish(browser, "phone").new_page()
    sign_in(phone, server, cast, cast.dario, "/dispatch")
    phone_panel = phone.get_by_role("region", name="Línea de ayuda")
    expect(phone_panel.get_by_role("button", name="Salir del turno de la línea")).to_be_visible()
    expect(phone_panel.locator("#hotline-calls")).to_contain_text("Tomada por Dario")
    phone_panel.scroll_into_view_if_needed()
    no_overflow(phone)
    screenshot(phone, "console-hotline-phone")
