"""A subscriber's whole path in the demo, in Spanish: subscribe on a phone, the code arrives in
the demo inbox (read by staff at a desk), confirm, and the alert the dispatcher publishes lands
in the same phone's thread; the phone can text back (DERECHOS) and gets its answer."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.demo_day import worker_round as jobs_then_delivery
from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import Cast
from tests.dispatch.factories import SCENE, make_incident
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.incidents.models import IncidentState
from vecinos.web.app import create_app

pytestmark = pytest.mark.browser
PHONE_NUMBER = "+1 213 555 0142"


@pytest.fixture
def demo_settings(settings: Settings) -> Settings:
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


def worker_round(sessions: sessionmaker[Session], settings: Settings, cast: Cast) -> None:
    """What the demo's worker does every few seconds: the jobs, then the delivery engine
    sends what is waiting."""
    cast.clock.advance(seconds=30)
    jobs_then_delivery(sessions, settings, cast.clock)


def test_a_subscriber_confirms_through_the_demo_inbox_and_receives_an_alert(
    browser: Browser,
    demo_server: LiveServer,
    demo_settings: Settings,
    cast: Cast,
    sessions: sessionmaker[Session],
) -> None:
    resident = spanish(
        browser,
        "phone",
        geolocation={"latitude": SCENE[0], "longitude": SCENE[1]},
        permissions=["geolocation"],
    ).new_page()
    resident.goto(f"{demo_server.url}/alerts/subscribe")
    expect(resident.get_by_text("Esto es una demostración")).to_be_visible()
    resident.get_by_role("button", name="Usar mi ubicación").click()
    expect(resident.locator("#pin-status")).not_to_be_empty()
    resident.get_by_label("Número de teléfono o correo").fill(PHONE_NUMBER)
    resident.get_by_role("button", name="Suscribirme").click()
    expect(resident.get_by_role("status")).to_contain_text("le llegará un código")
    no_overflow(resident)

    worker_round(sessions, demo_settings, cast)
    staff = spanish(browser, "desk").new_page()
    sign_in(staff, demo_server, cast, cast.dario, "/account")
    staff.get_by_role("link", name="Abrir el buzón de demostración").click()
    thread = staff.get_by_role("region", name=re.compile(r"mensaje de texto: \+12135550142"))
    expect(thread).to_contain_text("Confirmación")
    found = re.search(r"\b(\d{6})\b", thread.locator(".message.kind-optin .text").inner_text())
    assert found, "the code is in the text the phone received"
    screenshot(staff, "demo-inbox-code-desk")

    resident.get_by_label("Código del mensaje de texto").fill(found.group(1))
    resident.get_by_role("button", name="Confirmar").click()
    expect(resident.get_by_role("status")).to_contain_text(
        "Confirmado. Recibirá lo que indica esta página"
    )
    screenshot(resident, "demo-subscribe-confirmed-phone")

    make_incident(sessions, cast, state=IncidentState.CONFIRMED)
    publish_from_the_console(staff, demo_server)
    worker_round(sessions, demo_settings, cast)
    staff.goto(f"{demo_server.url}/demo/inbox")
    alert = thread.locator(".message.kind-alert")
    expect(alert).to_contain_text("CONFIRMADO")
    expect(alert.locator(".meta")).to_contain_text("Alerta")

    thread.get_by_label("Responder desde este teléfono").fill("DERECHOS")
    thread.get_by_role("button", name="Enviar").click()
    expect(thread.locator(".message.kind-texted")).to_contain_text("DERECHOS")
    expect(thread.locator(".message.kind-reply")).not_to_be_empty()
    no_overflow(staff)
    screenshot(staff, "demo-inbox-desk")


def publish_from_the_console(staff: Page, server: LiveServer) -> None:
    staff.goto(f"{server.url}/dispatch")
    staff.locator('.cards[data-state="confirmed"] .card').click()
    expect(staff.locator("#alert-text-es")).not_to_have_value("")
    expect(staff.locator("#alert-verdict")).to_contain_text("Lista para publicar a 1 destinatario.")
    staff.get_by_role("button", name="Publicar alerta…").click()
    staff.get_by_role("alertdialog").get_by_role("button", name="Sí, publicarla").click()
    expect(staff.locator("#alert-verdict")).to_contain_text("Publicada para 1 destinatario.")


def test_there_is_no_inbox_outside_the_demo(
    browser: Browser, live_server: LiveServer, cast: Cast
) -> None:
    page = spanish(browser, "desk").new_page()
    sign_in(page, live_server, cast, cast.dario, "/account")
    expect(page.get_by_role("link", name="Abrir el buzón de demostración")).to_have_count(0)
    answer = page.goto(f"{live_server.url}/demo/inbox")
    assert answer is not None and answer.status == 404
