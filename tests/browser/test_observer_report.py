"""A responder files a structured observer report from a phone, in Spanish."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.cast import PASSWORD, Cast
from tests.dispatch.factories import SCENE, client_for, make_incident, north, on_shift
from vecinos.dispatch.observer_models import ObserverReport

pytestmark = pytest.mark.browser
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def offer_to_rosa(app: FastAPI, cast: Cast, sessions: sessionmaker[Session]) -> int:
    incident_id = make_incident(sessions, cast)
    with client_for(app, cast, cast.dario) as dispatcher:
        assert dispatcher.post(f"/api/incidents/{incident_id}/dispatch", json={}).status_code == 201
    return incident_id


def rosa_on_phone(browser: Browser, live_server: LiveServer, cast: Cast, width: int) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 844},
        is_mobile=width < 800,
        locale="es-MX",
        timezone_id="America/Los_Angeles",
        geolocation={"latitude": SCENE[0], "longitude": SCENE[1]},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/signin?next=/responder")
    page.get_by_label("Correo electrónico").fill(cast.rosa.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", name="Voluntario(a) de respuesta")).to_be_visible()
    return page


def accept(page: Page) -> Locator:
    offer = page.locator(".offer")
    expect(offer).to_be_visible(timeout=10000)
    offer.get_by_role("button", name="Aceptar").click()
    expect(offer.get_by_role("link", name="Cómo llegar")).to_be_visible()
    return offer


def on_scene(page: Page) -> None:
    offer = accept(page)
    offer.get_by_role("button", name="Estoy en el lugar").click()
    expect(offer.get_by_text("Informe de observación")).to_be_visible()


def test_a_responder_files_an_observer_report_in_spanish_on_a_phone(
    browser: Browser,
    live_server: LiveServer,
    app: FastAPI,
    cast: Cast,
    sessions: sessionmaker[Session],
    db: Session,
) -> None:
    on_shift(sessions, cast, cast.rosa, north(150))
    incident_id = offer_to_rosa(app, cast, sessions)
    page = rosa_on_phone(browser, live_server, cast, 390)
    on_scene(page)
    offer = page.locator(".offer")
    offer.get_by_label("Confirmado: lo estoy viendo").check()
    offer.get_by_label("Agentes que vio").fill("5")
    offer.get_by_label("Sus vehículos").fill("2")
    offer.get_by_label("Lo que hacían").select_option(label="Arresto en curso")
    offer.get_by_label("ICE").check()
    offer.get_by_label("Caras cubiertas").check()
    first = offer.locator(".vehicle-row").first
    first.get_by_label("Tipo").select_option(label="SUV")
    first.get_by_label("Color").select_option(label="Negro")
    offer.get_by_role("button", name="Añadir otro vehículo").click()
    second = offer.locator(".vehicle-row").nth(1)
    second.get_by_label("Tipo").select_option(label="Furgoneta")
    second.get_by_label("Color").select_option(label="Blanco")
    offer.get_by_label("Administrativa: firmada por un agente de inmigración").check()
    offer.get_by_label("Personas detenidas").fill("1")
    now = cast.clock.now().astimezone(LOS_ANGELES)
    offer.get_by_label("Hora de llegada de los agentes").fill(
        (now - timedelta(minutes=40)).strftime("%H:%M")
    )
    offer.get_by_label("Hora de salida de los agentes").fill(
        (now - timedelta(minutes=10)).strftime("%H:%M")
    )
    offer.get_by_label("Un abogado").check()
    offer.get_by_label("Alguien que cuide a los niños").check()
    screenshot(page, "observer-report-es-390")
    offer.get_by_role("button", name="Enviar lo que encontré").click()
    expect(page.locator("#message")).to_contain_text("Gracias. Se envió lo que encontró.")

    report = db.scalars(select(ObserverReport)).one()
    assert report.incident_id == incident_id
    assert (report.agents, report.vehicles, report.detained) == (5, 2, 1)
    assert report.activity == "arrest_in_progress" and report.warrant == "administrative"
    assert report.agencies == ["ice"] and report.equipment == ["face_coverings"]
    assert report.vehicles_seen == [
        {"type": "suv", "colour": "black"},
        {"type": "van", "colour": "white"},
    ]
    assert report.needs == ["childcare", "legal_help"]
    assert report.agents_arrived_at is not None and report.agents_left_at is not None
    assert report.agents_left_at - report.agents_arrived_at == timedelta(minutes=30)
    page.context.close()


def test_the_report_survives_the_offer_list_redrawing_and_hides_for_not_found(
    browser: Browser,
    live_server: LiveServer,
    app: FastAPI,
    cast: Cast,
    sessions: sessionmaker[Session],
) -> None:
    on_shift(sessions, cast, cast.rosa, north(150))
    offer_to_rosa(app, cast, sessions)
    page = rosa_on_phone(browser, live_server, cast, 1366)
    on_scene(page)
    offer = page.locator(".offer")
    offer.get_by_label("Confirmado: lo estoy viendo").check()
    offer.get_by_label("Agentes que vio").fill("7")
    offer.get_by_label("Judicial: firmada por un juez").check()
    page.locator("h1").click()  # focus leaves the offer: the next poll redraws the list
    page.evaluate("document.querySelector('.offer').dataset.old = 'yes'")
    page.evaluate("document.querySelector('.offer form').dataset.old = 'yes'")
    expect(page.locator(".offer[data-old]")).to_have_count(0, timeout=10000)
    offer = page.locator(".offer")
    # A new card around the same form: a redraw landing between two keystrokes loses neither.
    expect(offer.locator("form[data-old]")).to_have_count(1)
    expect(offer.get_by_label("Agentes que vio")).to_have_value("7")
    expect(offer.get_by_label("Judicial: firmada por un juez")).to_be_checked()
    screenshot(page, "observer-report-es-1366")
    offer.get_by_label("No lo encontré").check()
    expect(offer.get_by_text("Informe de observación")).to_be_hidden()
    page.context.close()


def test_a_redraw_while_typing_keeps_the_field_and_what_is_typed_next(
    browser: Browser,
    live_server: LiveServer,
    app: FastAPI,
    cast: Cast,
    sessions: sessionmaker[Session],
) -> None:
    on_shift(sessions, cast, cast.rosa, north(150))
    offer_to_rosa(app, cast, sessions)
    page = rosa_on_phone(browser, live_server, cast, 390)
    offer = accept(page)
    agents = offer.get_by_label("Agentes que vio")
    agents.fill("1")
    # "On my way" is sent while the volunteer types (a tap elsewhere, as far as the field
    # knows): its answer redraws the list under the focused field.
    page.evaluate("document.querySelector('.offer').dataset.old = 'yes'")
    offer.get_by_role("button", name="Voy en camino").evaluate("(button) => button.click()")
    expect(page.locator(".offer[data-old]")).to_have_count(0)
    page.keyboard.type("2")
    expect(agents).to_have_value("12")
    page.context.close()
