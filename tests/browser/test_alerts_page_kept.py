"""The alerts page is rendered once per change and kept (`web.prerender`): after a publish —
here through another engine, as another process or a worker publishes — a person opening or
reloading the page in Spanish sees the new alert, on a phone and on a laptop, never the copy
kept from before."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import incident, publish_now
from tests.alerts.test_corrections import move
from tests.browser.fixtures import LiveServer, screenshot
from tests.cast import Cast
from vecinos.alerts.models import AlertKind
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import make_engine, make_session_factory
from vecinos.incidents.models import IncidentState

pytestmark = pytest.mark.browser


def spanish_page(browser: Browser, width: int, *, scripts: bool = True) -> Page:
    context = browser.new_context(
        locale="es-MX", viewport={"width": width, "height": 900}, java_script_enabled=scripts
    )
    return context.new_page()


@pytest.mark.parametrize("width", [390, 1366])
def test_after_a_publish_the_page_shows_the_new_alert_not_the_kept_copy(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    width: int,
) -> None:
    raid = incident(sessions, cast)
    publish_now(sessions, settings, clock, raid)
    page = spanish_page(browser, width)
    page.goto(f"{live_server.url}/alerts")
    items = page.locator("#alerts > li")
    expect(items).to_have_count(1)
    expect(items.first.locator(":scope > .alert-label")).to_have_text("CONFIRMADO por voluntarios")
    # The server's copy alone, without the page's scripts that would catch up by themselves.
    bare = spanish_page(browser, width, scripts=False)
    bare.goto(f"{live_server.url}/alerts")
    expect(bare.locator("#alerts > li")).to_have_count(1)
    reloaded = bare.reload()
    assert reloaded is not None and reloaded.status in (200, 304)  # the kept copy again

    # The incident ends; its all-clear is published through an engine of its own.
    move(sessions, raid, IncidentState.ENDED)
    clock.advance(minutes=1)
    other = make_engine(settings.effective_database_url)
    try:
        publish_now(make_session_factory(other), settings, clock, raid, AlertKind.ALL_CLEAR)
    finally:
        other.dispose()

    current = items.first.locator(":scope > .alert-label")
    expect(current).to_have_text("TODO DESPEJADO", timeout=10000)  # live, on the open page
    # The open page heard the event, so this process has: the next visitor gets a new copy.
    bare.reload()
    expect(bare.locator("#alerts > li.alert > .alert-label")).to_have_text(["TODO DESPEJADO"])
    expect(bare.locator("#alerts .earlier")).to_contain_text("retirado por un mensaje posterior")
    screenshot(bare, f"alerts-kept-after-publish-noscript-es-{width}")

    fresh = spanish_page(browser, width)
    fresh.goto(f"{live_server.url}/alerts")
    shown = fresh.locator("#alerts > li.alert")
    expect(shown).to_have_count(1)
    expect(shown.locator(":scope > .alert-label")).to_have_text("TODO DESPEJADO")
    expect(shown.locator(":scope > p")).to_contain_text("FIN DE ALERTA")
    expect(shown.locator("summary")).to_have_text("Mensajes anteriores sobre esto (1)")
    expect(shown).not_to_contain_text("34.05")  # a place by its name, never coordinates
    screenshot(fresh, f"alerts-kept-after-publish-es-{width}")
    for opened in (page, bare, fresh):
        opened.context.close()
