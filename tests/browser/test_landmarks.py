"""A coordinator keeps the organization's landmarks on the admin page, in Spanish, on a phone
and on a laptop: places one on the map, renames it, sees a house address refused, removes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.signin import sign_in
from tests.cast import Cast
from vecinos.geo.models import Landmark

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1366])
def test_a_coordinator_keeps_landmarks_in_spanish(
    browser: Browser, live_server: LiveServer, cast: Cast, db: Session, width: int
) -> None:
    context = browser.new_context(locale="es-MX", viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, cast, cast.elena)
    page.goto(f"{live_server.url}/admin/{cast.eastside}")
    section = page.locator("#landmarks-section")
    expect(section.get_by_role("heading", name="Puntos de referencia")).to_be_visible()
    expect(page.locator("#landmarks")).to_have_text("Todavía no hay puntos de referencia.")

    section.get_by_label("Nombre del punto de referencia").fill("Mariachi Plaza")
    page.locator("#landmark-map").click()  # the middle of the map: the point is filled in
    expect(page.locator("#landmark-point")).to_contain_text("Punto: 34.")
    section.get_by_role("button", name="Añadir punto de referencia").click()
    expect(page.locator("#landmarks li")).to_have_count(1)
    expect(page.locator("#landmarks")).to_contain_text("Mariachi Plaza")
    expect(page.locator("#landmark-message")).to_have_text("Guardado.")
    assert db.scalar(select(Landmark.name)) == "Mariachi Plaza"
    screenshot(page, f"admin-landmarks-es-{width}")

    page.locator("#landmarks li", has_text="Mariachi Plaza").get_by_role(
        "button", name="Editar"
    ).click()
    expect(section.get_by_label("Nombre del punto de referencia")).to_have_value("Mariachi Plaza")
    section.get_by_label("Nombre del punto de referencia").fill("la casa de Sra. Garcia")
    section.get_by_role("button", name="Guardar cambios").click()
    expect(page.locator("#landmark-message")).to_contain_text("no puede identificar")
    db.rollback()
    assert db.scalar(select(Landmark.name)) == "Mariachi Plaza"  # the refusal changed nothing

    section.get_by_label("Nombre del punto de referencia").fill("Plaza del Mariachi")
    section.get_by_label("Latitud").fill("34.0470")
    section.get_by_label("Longitud").fill("-118.2190")
    section.get_by_role("button", name="Guardar cambios").click()
    expect(page.locator("#landmarks")).to_contain_text("Plaza del Mariachi")
    db.rollback()
    assert db.execute(select(Landmark.name, Landmark.lat, Landmark.lon)).one() == (
        "Plaza del Mariachi",
        34.047,
        -118.219,
    )

    page.locator("#landmarks li", has_text="Plaza del Mariachi").get_by_role(
        "button", name="Quitar"
    ).click()
    expect(page.locator("#landmarks")).to_have_text("Todavía no hay puntos de referencia.")
    context.close()
