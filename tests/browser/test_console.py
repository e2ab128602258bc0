"""A dispatcher works the live board, in Spanish, at a desk and on a phone: new reports appear
without reloading and only their cards change, the keyboard path holds while reports pour in,
a new incident sounds and counts in the title, closed incidents fold away, and verification
is one click. (The hotline form: test_where_without_gps.py.)"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import Cast
from tests.dispatch.factories import SCENE, make_incident, north, on_shift
from tests.reports.factories import body
from vecinos.incidents.models import Incident, IncidentState

pytestmark = pytest.mark.browser
BOARD_RELOAD_SECONDS = 60  # console.js reloads the whole board this often, events or not
FAR = (34.10, -118.15)  # far enough from SCENE to open incidents of their own


def sign_in_dispatcher(page: Page, live_server: LiveServer, cast: Cast) -> None:
    sign_in(page, live_server, cast, cast.dario, "/dispatch")
    expect(page.get_by_role("heading", name="Despacho", exact=True)).to_be_visible()


def focused_incident(page: Page) -> str | None:
    found: str | None = page.evaluate(
        "() => { const li = document.activeElement && document.activeElement.closest('li');"
        " return li ? li.dataset.incident : null; }"
    )
    return found


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_the_board_is_live_and_verification_is_one_click(
    browser: Browser,
    live_server: LiveServer,
    client: TestClient,
    cast: Cast,
    sessions: sessionmaker[Session],
    db: Session,
    size: str,
) -> None:
    page = spanish(browser, size).new_page()
    sign_in_dispatcher(page, live_server, cast)
    expect(page.locator("#live")).to_have_text("En vivo")
    on_shift(sessions, cast, cast.rosa, north(300))
    reported = client.post("/api/reports", json=body(SCENE))
    assert reported.status_code == 201, reported.text

    card = page.locator('.cards[data-state="reported"] .card')
    expect(card).to_have_count(1, timeout=10000)  # arrived through the event stream
    expect(card).to_contain_text("SIN VERIFICAR")
    expect(card).to_contain_text("Vehículos estacionados")
    expect(card).to_contain_text("1 reporte · 1 fuente · hace un momento")
    card.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail")).to_be_visible()
    expect(page.locator("#detail-timeline")).to_contain_text("Primer reporte")
    page.get_by_role("button", name="Pedir verificación").click()
    expect(page.locator("#detail-message")).to_contain_text("se consultó a 1 voluntario(a).")
    expect(page.locator('.cards[data-state="verifying"] .card')).to_have_count(1)
    expect(page.locator("#detail-offers")).to_contain_text("Rosa · consultado")
    expect(page.locator("#detail-timeline")).to_contain_text("reportado → en verificación")
    no_overflow(page)
    screenshot(page, f"dispatch-board-{size}")

    page.get_by_role("button", name="Marcar como falsa alarma").click()
    expect(page.locator('.cards[data-state="unfounded"] .card')).to_have_count(1)
    expect(page.locator("details.closed summary")).to_contain_text("Cerrados hoy 1")
    incident = db.scalar(select(Incident))
    assert incident is not None and incident.state == IncidentState.UNFOUNDED


def test_the_keyboard_path_holds_while_20_reports_arrive(
    browser: Browser, live_server: LiveServer, client: TestClient, cast: Cast
) -> None:
    page = spanish(browser, "desk").new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    assert client.post("/api/reports", json=body(SCENE)).status_code == 201
    loaded = time.monotonic()  # no later than the page's script starts its minute timer
    sign_in_dispatcher(page, live_server, cast)
    expect(page.locator("#live")).to_have_text("En vivo")
    page.locator(".cards > li .card").first.focus()
    chosen = focused_incident(page)
    assert chosen is not None
    first = page.locator(f"#incident-{chosen}")

    def report_twenty() -> None:
        for n in range(20):
            # Half join the focused incident, half open incidents of their own, far apart.
            at = SCENE if n % 2 else (FAR[0] + n * 0.01, FAR[1])
            assert client.post("/api/reports", json=body(at)).status_code == 201

    sender = threading.Thread(target=report_twenty)
    sender.start()  # the page takes them in as they arrive, with the focus on its card
    sender.join()  # the wait below is for the page, however long the sending took
    expect(page.locator(".cards > li")).to_have_count(11, timeout=10000)
    expect(first).to_contain_text("11 reportes")
    assert focused_incident(page) == chosen, "the focused card kept its focus"
    page.keyboard.press("Enter")
    expect(page.locator("#detail-head")).to_contain_text("11 reportes")
    expect(page.locator("#detail")).to_be_focused()
    page.keyboard.press("Escape")  # back to the board, to the card it came from
    assert focused_incident(page) == chosen
    board_loads = [u for u in asked if "/dispatch/board" in u or "/api/incidents?" in u]
    # The whole board once, when the stream is ready; a slow run may also see the page's
    # reload of every minute, once a minute has passed.
    minutes = int((time.monotonic() - loaded) // BOARD_RELOAD_SECONDS)
    assert len(board_loads) <= 1 + minutes, board_loads
    assert any("/dispatch/cards?" in u for u in asked)  # then only the cards that changed


def test_a_card_reached_before_the_script_ran_keeps_the_focus_and_one_clicked_opens(
    browser: Browser, live_server: LiveServer, client: TestClient, cast: Cast
) -> None:
    """A slow connection: the board is on screen before its script runs. The keyboard may
    pass over a card meanwhile (it keeps the focus when the script starts); a card clicked
    meanwhile opens once it does (the click itself found no handler)."""
    assert client.post("/api/reports", json=body(SCENE)).status_code == 201
    page = spanish(browser, "desk").new_page()
    held: list[Route] = []
    page.route("**/static/console.js", lambda route: held.append(route))
    sign_in_dispatcher(page, live_server, cast)
    page.locator("#board-title").focus()
    page.keyboard.press("Tab")
    chosen = focused_incident(page)
    assert chosen is not None
    expect(page.locator("#live")).to_have_text("Conectando…")  # not live without its script
    assert held, "the page asked for its script"
    held[0].continue_()
    expect(page.locator("#live")).to_have_text("En vivo")
    assert focused_incident(page) == chosen
    expect(page.locator("#detail")).to_be_hidden()

    page.reload(wait_until="commit")  # "load" would wait for the script held back
    page.locator(f"#incident-{chosen} .card").click()
    expect(page.locator("#live")).to_have_text("Conectando…")
    assert len(held) == 2
    held[1].continue_()
    expect(page.locator("#detail")).to_be_focused()
    expect(page.locator("#detail-head")).to_contain_text("1 reporte")


def test_a_new_incident_sounds_and_counts_in_the_title(
    browser: Browser, live_server: LiveServer, client: TestClient, cast: Cast
) -> None:
    page = spanish(browser, "desk").new_page()
    sign_in_dispatcher(page, live_server, cast)
    expect(page.locator("#live")).to_have_text("En vivo")
    expect(page).to_have_title("Despacho · vecinos")
    assert client.post("/api/reports", json=body(SCENE)).status_code == 201
    expect(page).to_have_title("(1) Despacho · vecinos")
    expect(page.locator("#console")).to_have_attribute("data-chimes", "1")
    expect(page.locator(".cards > li.new")).to_have_count(1)

    page.get_by_label("Sonido para incidentes nuevos").uncheck()
    assert client.post("/api/reports", json=body(FAR)).status_code == 201
    expect(page).to_have_title("(2) Despacho · vecinos")
    expect(page.locator("#console")).to_have_attribute("data-chimes", "1")  # muted
    page.locator(".cards > li.new .card").first.click()
    expect(page).to_have_title("(1) Despacho · vecinos")
    page.reload()
    expect(page.get_by_label("Sonido para incidentes nuevos")).not_to_be_checked()


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_closed_incidents_fold_away_and_ages_read_naturally(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    size: str,
) -> None:
    now = cast.clock.now()
    make_incident(sessions, cast, opened_at=now - timedelta(hours=3))
    make_incident(sessions, cast, state=IncidentState.UNFOUNDED, at=FAR)
    yesterday = now - timedelta(days=1)
    make_incident(
        sessions, cast, state=IncidentState.ENDED, opened_at=yesterday, changed_at=yesterday
    )
    page = spanish(browser, size).new_page()
    sign_in_dispatcher(page, live_server, cast)
    reported = page.locator('.cards[data-state="reported"] .card')
    expect(reported).to_contain_text("hace 3 horas")
    closed = page.locator("details.closed")
    expect(closed.locator("summary")).to_contain_text("Cerrados hoy 1")
    expect(page.locator('.cards[data-state="unfounded"] .card')).to_be_hidden()  # folded
    expect(page.locator(".cards > li")).to_have_count(2)  # yesterday's is gone
    page.get_by_label("Mostrar").select_option(label="Falsas alarmas")
    expect(page.locator('.cards[data-state="unfounded"] .card')).to_be_visible()
    expect(reported).to_be_hidden()
    no_overflow(page)
    screenshot(page, f"dispatch-board-closed-{size}")
