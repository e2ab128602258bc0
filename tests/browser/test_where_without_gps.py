"""Reporting without GPS, in Spanish, on a phone and at a desk: a resident names the
neighbourhood (or a ZIP code) and the cross streets; a hotline operator logs "César Chávez &
Soto" near a landmark with no coordinates at all. No map is needed, and none is touched."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import Cast
from tests.geo.factories import BOYLE_HEIGHTS, MARIACHI_PLAZA, add_gazetteer
from vecinos.config import Settings
from vecinos.reports.models import LocationKind, Report, Source

pytestmark = pytest.mark.browser
CROSS = "Cesar Chavez Ave & Soto St"


@pytest.fixture
def places(sessions: sessionmaker[Session], cast: Cast, settings: Settings) -> dict[str, int]:
    return add_gazetteer(sessions, cast, settings)


def choose_place(page: Page, typed: str, name: str) -> None:
    """Type into the picker and choose a result, by keyboard and labels only."""
    page.get_by_label("Barrio, código postal o lugar conocido").fill(typed)
    page.get_by_label(name).check()
    expect(page.locator(".place-picker [data-chosen]")).to_contain_text("Elegido:")


def latest_report(db: Session) -> Report:
    db.expire_all()
    report = db.scalar(select(Report).order_by(Report.id.desc()))
    assert report is not None
    return report


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_a_report_with_only_a_neighbourhood_and_cross_streets(
    browser: Browser, live_server: LiveServer, db: Session, places: dict[str, int], size: str
) -> None:
    page = spanish(browser, size).new_page()  # no geolocation permission: no GPS at all
    page.goto(f"{live_server.url}/report")
    page.get_by_role("button", name="Enviar reporte").click()
    expect(page.get_by_role("status")).to_have_text("Elija qué está pasando.")
    page.get_by_label("Retén").check()
    page.get_by_role("button", name="Enviar reporte").click()
    expect(page.get_by_role("status")).to_contain_text("elija un barrio, código postal")
    choose_place(page, "boyle", "Boyle Heights")
    page.get_by_label("Calles que se cruzan (no una dirección de casa)").fill(CROSS)
    screenshot(page, f"report-without-gps-{size}")
    page.get_by_role("button", name="Enviar reporte").click()
    expect(page.get_by_role("status")).to_contain_text("Enviado.")
    report = latest_report(db)
    assert (report.location_kind, report.cross_streets) == (LocationKind.CROSS_STREETS, CROSS)
    assert report.zone_id == places["heights"]
    assert shape(BOYLE_HEIGHTS).contains(Point(report.lon, report.lat))
    no_overflow(page)


def test_a_report_by_zip_code(
    browser: Browser, live_server: LiveServer, db: Session, places: dict[str, int]
) -> None:
    page = spanish(browser, "phone").new_page()
    page.goto(f"{live_server.url}/report")
    page.get_by_label("Agentes a pie").check()
    search = page.get_by_label("Barrio, código postal o lugar conocido")
    search.fill("90033")
    search.press("Enter")  # searches; it does not send the report
    expect(page.get_by_label("90033 Los Angeles")).to_be_visible()
    page.get_by_label("90033 Los Angeles").check()
    page.get_by_role("button", name="Enviar reporte").click()
    expect(page.get_by_role("status")).to_contain_text("Enviado.")
    assert latest_report(db).location_kind == LocationKind.ZIP


def test_what_was_typed_before_the_script_arrived_is_searched(
    browser: Browser, live_server: LiveServer, places: dict[str, int]
) -> None:
    """On a slow phone the form is there before its script: the letters typed meanwhile count."""
    page = spanish(browser, "phone").new_page()
    held: list[Route] = []
    page.route("**/static/places.js", lambda route: held.append(route))
    page.goto(f"{live_server.url}/report", wait_until="commit")
    page.get_by_label("Barrio, código postal o lugar conocido").fill("mariachi")
    # The script is asked for in the head, before the field is parsed, and Playwright hands
    # over events in order: by now the request is held here, and the letters are typed.
    assert len(held) == 1, "the picker's script was not asked for before its field existed"
    held[0].continue_()
    page.get_by_label("Mariachi Plaza").check()
    expect(page.locator(".place-picker [data-chosen]")).to_contain_text("Elegido: Mariachi Plaza")


def test_a_report_waits_for_its_script_and_what_was_typed_stays_on_the_page(
    browser: Browser, live_server: LiveServer, db: Session, places: dict[str, int]
) -> None:
    """Sent before its script listens, the form would leave the page and the report with it
    (and, as a GET, put the cross streets in the address, the history and a proxy's log)."""
    page = spanish(browser, "phone").new_page()
    held: list[Route] = []
    page.route("**/static/report.js", lambda route: held.append(route))
    page.goto(f"{live_server.url}/report", wait_until="commit")
    page.get_by_label("Retén").check()
    streets = page.get_by_label("Calles que se cruzan (no una dirección de casa)")
    streets.fill(CROSS)
    streets.press("Enter")  # a phone keyboard's "Go"
    send = page.get_by_role("button", name="Enviar reporte")
    expect(send).to_be_disabled()
    assert len(held) == 1, "the report's script was not asked for before its form existed"
    held[0].continue_()
    expect(send).to_be_enabled()  # on this page: a navigation would have held a second script
    assert page.url == f"{live_server.url}/report"
    expect(streets).to_have_value(CROSS)
    choose_place(page, "boyle", "Boyle Heights")  # report.js is what wires the picker
    send.click()
    expect(page.get_by_role("status")).to_contain_text("Enviado.")
    assert latest_report(db).cross_streets == CROSS


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_the_hotline_form_without_coordinates(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    db: Session,
    places: dict[str, int],
    size: str,
) -> None:
    page = spanish(browser, size).new_page()
    sign_in(page, live_server, cast, cast.dario, "/dispatch")
    page.get_by_role("link", name="Registro de llamadas").click()
    page.get_by_label("Retén").check()
    choose_place(page, "mariachi", "Mariachi Plaza")
    page.get_by_label("Calles que se cruzan (no una dirección de casa)").fill("César Chávez & Soto")
    page.get_by_role("button", name="Registrar reporte").click()
    expect(page.get_by_role("status")).to_contain_text("Registrado como reporte")
    report = latest_report(db)
    assert report.source == Source.HOTLINE
    assert report.entered_by_id == cast.dario.member_id
    assert report.cross_streets == "César Chávez & Soto"
    assert (report.lat, report.lon) == MARIACHI_PLAZA
    no_overflow(page)
    screenshot(page, f"hotline-without-coordinates-{size}")
