"""The alerts page shows each incident once, at its newest message, with the earlier ones
folded under it and marked as replaced or withdrawn; live, in Spanish, on a phone and a
laptop. Links in alert texts are links; places are names."""

from __future__ import annotations

import multiprocessing
from datetime import datetime

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import incident, publish_now
from tests.alerts.test_corrections import move
from tests.browser.fixtures import LiveServer, screenshot
from tests.cast import Cast
from vecinos.alerts.models import AlertKind
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import is_sqlite, make_engine, make_session_factory
from vecinos.incidents.models import IncidentState

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1366])
def test_one_current_item_per_incident_with_its_history_folded(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    width: int,
) -> None:
    dario = cast.dario.member_id
    checked = incident(sessions, cast, IncidentState.VERIFYING)
    publish_now(sessions, settings, clock, checked, AlertKind.UNCONFIRMED, dario)
    move(sessions, checked, IncidentState.CONFIRMED)
    clock.advance(minutes=1)
    publish_now(sessions, settings, clock, checked)
    clock.advance(minutes=1)
    publish_now(sessions, settings, clock, checked, AlertKind.UPDATE, dario)
    ended = incident(sessions, cast)
    clock.advance(minutes=1)
    publish_now(sessions, settings, clock, ended)
    move(sessions, ended, IncidentState.ENDED)
    clock.advance(minutes=1)
    publish_now(sessions, settings, clock, ended, AlertKind.ALL_CLEAR)

    page = browser.new_context(locale="es-MX", viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{live_server.url}/alerts")
    items = page.locator("#alerts > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("FIN DE ALERTA")
    expect(items.nth(1)).to_contain_text("ACTUALIZACIÓN")
    expect(items.nth(1)).not_to_contain_text("34.05")  # a place by its name, never coordinates
    summary = items.nth(1).locator("summary")
    expect(summary).to_have_text("Mensajes anteriores sobre esto (2)")
    expect(items.nth(1).locator(".earlier")).to_have_count(2)
    expect(items.nth(1).locator(".earlier").first).to_be_hidden()  # folded until opened
    summary.click()
    expect(items.nth(1).locator(".earlier").first).to_contain_text(
        "reemplazado por un mensaje posterior"
    )
    expect(items.nth(0).locator(".earlier")).to_contain_text("retirado por un mensaje posterior")
    link = f"{settings.public_url}/rights/es"  # the texts were written with these settings
    rights = items.nth(1).get_by_role("link", name=link).first
    expect(rights).to_have_attribute("href", link)
    screenshot(page, f"alerts-threads-es-{width}")

    # Live: the all-clear of the first incident takes its place, and folds the update away.
    move(sessions, checked, IncidentState.ENDED)
    clock.advance(minutes=1)
    publish_now(sessions, settings, clock, checked, AlertKind.ALL_CLEAR)
    current = items.nth(0).locator(":scope > .alert-label")
    expect(current).to_have_text("TODO DESPEJADO", timeout=10000)
    expect(items.nth(0).locator(":scope > p")).to_contain_text("FIN DE ALERTA")
    expect(items).to_have_count(2)
    expect(items.nth(0).locator("summary")).to_have_text("Mensajes anteriores sobre esto (3)")
    items.nth(0).locator("summary").click()
    expect(items.nth(0).locator(".earlier.cancelled")).to_have_count(1)
    expect(items.nth(0).locator(".earlier.cancelled")).to_contain_text("ACTUALIZACIÓN")
    screenshot(page, f"alerts-live-fold-es-{width}")
    page.context.close()


def publish_in_a_process_of_its_own(settings: Settings, incident_id: int, at: datetime) -> None:
    """What a separate `vecinos worker` does after an incident's hold: its own engine, its
    own sessions, nothing shared with the web process but the database."""
    engine = make_engine(settings.effective_database_url)
    publish_now(make_session_factory(engine), settings, FrozenClock(at), incident_id)
    engine.dispose()


def test_an_alert_another_process_publishes_reaches_an_open_page(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
) -> None:
    if is_sqlite(settings.effective_database_url):
        pytest.skip("SQLite is served by one process, which hears its own alerts")
    confirmed = incident(sessions, cast)
    page = browser.new_context(locale="es-MX", viewport={"width": 390, "height": 900}).new_page()
    page.goto(f"{live_server.url}/alerts")
    shown = page.locator("#alerts > li.alert")
    expect(page.locator("#alerts > li.empty")).to_be_visible()
    expect(page.locator("#live[data-stream='open']")).to_have_count(1)  # the stream listens
    worker = multiprocessing.get_context("spawn").Process(
        target=publish_in_a_process_of_its_own, args=(settings, confirmed, clock.now())
    )
    worker.start()
    worker.join(60)
    assert worker.exitcode == 0
    # No reload: the page hears it through PostgreSQL, as fast as a local alert.
    expect(shown).to_have_count(1, timeout=10000)
    expect(shown.first).to_contain_text("CONFIRMADO")
    screenshot(page, "alerts-from-another-process-es-390")
    page.context.close()
