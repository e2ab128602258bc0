"""Hotline calls become reports, in Spanish, at a desk and on a phone: the operator who took a
call opens its prefilled report from the panel; a voicemail waits on the board, marked as
such and with a player, until a dispatcher turns it into a report."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree import ElementTree

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
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
from vecinos.hotline import operators, writeups
from vecinos.hotline.call_models import HotlineCall
from vecinos.reports.models import Report, Source

pytestmark = pytest.mark.browser
TOKEN = "console-reports-token"
PUBLIC = "https://vecinos.test"


@pytest.fixture
def hotline_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"twilio_auth_token": SecretStr(TOKEN), "public_url": PUBLIC, "cookie_secure": False}
    )


@pytest.fixture
def server(hotline_settings: Settings, engine: Engine, clock: FrozenClock) -> Iterator[LiveServer]:
    app = create_app(hotline_settings, engine=engine, clock=clock, allow_placeholder_secret=True)
    with LiveServer(app) as live:
        yield live


def webhook(server: LiveServer, url_or_path: str, **fields: str) -> ElementTree.Element:
    path = url_or_path.removeprefix(PUBLIC)
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, fields)
    answer = httpx.post(server.url + path, data=fields, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200, answer.text
    return ElementTree.fromstring(answer.text)  # noqa: S314 - our own TwiML


def call_id_of(sessions: sessionmaker[Session], sid: str) -> int:
    with transaction(sessions) as db:
        return db.scalars(select(HotlineCall.id).where(HotlineCall.call_sid == sid)).one()


def write_report(page: Page) -> None:
    """The operator's part: what and where (the exact point the caller gave)."""
    page.get_by_label("Retén").check()
    page.get_by_text("Punto exacto, si la persona que llama lo comparte (opcional)").click()
    page.get_by_label("Latitud").fill("34.0469")
    page.get_by_label("Longitud").fill("-118.2195")
    page.get_by_role("button", name="Registrar reporte").click()


def test_the_operator_who_took_a_call_writes_its_prefilled_report(
    browser: Browser,
    server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    hotline_settings: Settings,
    clock: FrozenClock,
) -> None:
    with transaction(sessions) as db:
        operators.set_phone(
            db, cast.dario.member_id, "+12135550111", hotline_settings, now=clock.now()
        )
        operators.set_duty(db, cast.dario.member_id, True, clock.now())
    on_hotline_shift(sessions, cast, hotline_settings, cast.dario)
    page = spanish(browser, "desk").new_page()
    sign_in(page, server, cast, cast.dario, "/dispatch")
    panel = page.get_by_role("region", name="Línea de ayuda")
    expect(panel.locator("#hotline-calls")).to_contain_text("No hubo llamadas")

    sid = {"CallSid": "CA" + "5" * 32, "From": "+13235550177"}
    webhook(server, "/api/hotline/voice/incoming", **sid)
    webhook(server, "/api/hotline/voice/language", **sid, Digits="1")
    ring = webhook(server, "/api/hotline/voice/menu", **sid, Digits="1")
    number = ring.find("Dial/Number")
    assert number is not None
    accept = webhook(server, number.get("url", ""), CallSid="CA" + "6" * 32).find("Gather")
    assert accept is not None
    webhook(server, accept.get("action", ""), CallSid="CA" + "6" * 32, Digits="1")
    call_id = call_id_of(sessions, sid["CallSid"])

    yours = panel.get_by_role("link", name=f"Tomó la llamada L-{call_id} (español)")
    expect(yours).to_be_visible()
    screenshot(page, "hotline-call-taken-desk")
    yours.click()
    expect(page.get_by_role("heading", name=f"Llamada L-{call_id}")).to_be_visible()
    facts = page.locator("#call-facts")
    expect(facts).to_contain_text("Idioma: español")
    expect(facts).to_contain_text("Llamó a las")
    expect(page.get_by_label("Teléfono de quien llama", exact=False)).to_have_count(0)
    write_report(page)
    expect(page.get_by_role("status")).to_contain_text(f"La llamada L-{call_id} quedó escrita")
    no_overflow(page)
    screenshot(page, "hotline-prefilled-report-desk")
    with transaction(sessions) as db:
        call = db.get(HotlineCall, call_id)
        assert call is not None and call.report_id is not None
        report = db.get(Report, call.report_id)
        assert report is not None and report.source == Source.HOTLINE
        assert report.observed_at == call.started_at

    page.goto(f"{server.url}/dispatch")
    expect(panel.get_by_role("link", name=f"Tomó la llamada L-{call_id}")).to_be_hidden()
    expect(panel.locator("#hotline-calls")).to_contain_text(
        f"Escrita como reporte {call.report_id}"
    )


def test_a_voicemail_waits_on_the_board_until_it_becomes_a_report(
    browser: Browser,
    server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    hotline_settings: Settings,
) -> None:
    page = spanish(browser, "phone").new_page()
    sign_in(page, server, cast, cast.dario, "/dispatch")
    lane = page.get_by_role("region", name="Buzón de voz")
    expect(lane).to_contain_text("Ningún mensaje de voz en espera.")

    sid = {"CallSid": "CA" + "7" * 32, "From": "+13235550178"}
    webhook(server, "/api/hotline/voice/incoming", **sid)
    webhook(server, "/api/hotline/voice/language", **sid, Digits="1")
    record = webhook(server, "/api/hotline/voice/menu", **sid, Digits="2").find("Record")
    assert record is not None
    webhook(
        server,
        record.get("action", ""),
        **sid,
        RecordingSid="RE" + "7" * 32,
        RecordingDuration="14",
    )
    call_id = call_id_of(sessions, sid["CallSid"])
    card = lane.locator(f"#voicemail-{call_id}")
    expect(card).to_contain_text("buzón de voz")
    expect(card).to_contain_text(f"Llamada L-{call_id} · español")
    expect(card).to_contain_text("14 segundos")
    expect(card).to_contain_text("Mensaje (todavía se está descargando)")
    with transaction(sessions) as db:  # as the worker would: fetched into our storage
        storage_for(hotline_settings).put_bytes("hotline/vm.wav", b"RIFF0000WAVE")
        db.execute(
            update(HotlineCall)
            .where(HotlineCall.id == call_id)
            .values(recording_key="hotline/vm.wav", recording_state="deleted")
        )
        writeups.changed(db, call_id)
    player = card.get_by_label(f"Mensaje de la llamada L-{call_id}")
    expect(player).to_have_attribute("src", f"/api/hotline/messages/{call_id}/audio")
    card.scroll_into_view_if_needed()
    no_overflow(page)
    screenshot(page, "hotline-voicemail-phone")

    card.get_by_role("link", name="Convertirlo en reporte").click()
    expect(page.get_by_role("heading", name=f"Llamada L-{call_id}")).to_be_visible()
    expect(page.get_by_label(f"Mensaje de la llamada L-{call_id}")).to_be_visible()
    no_overflow(page)
    screenshot(page, "hotline-voicemail-report-phone")
    write_report(page)
    expect(page.get_by_role("status")).to_contain_text(f"La llamada L-{call_id} quedó escrita")
    page.goto(f"{server.url}/dispatch")
    expect(lane).to_contain_text("Ningún mensaje de voz en espera.")
    expect(lane.locator(f"#voicemail-{call_id}")).to_have_count(0)
