"""Legal support opens a follow-up case from an incident, updates it and downloads it
encrypted for a partner lawyer, on a phone and on a desktop, in Spanish."""

from __future__ import annotations

import json
from pathlib import Path

import pyrage
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.cast import PASSWORD, Cast
from tests.dispatch.factories import make_incident
from vecinos.accounts.models import AuditEvent
from vecinos.cases.models import FollowUpCase

pytestmark = pytest.mark.browser


def lucas_signs_in(
    browser: Browser, live_server: LiveServer, cast: Cast, width: int, to: str
) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=width < 800, locale="es-MX",
        accept_downloads=True,
    )  # fmt: skip
    page = context.new_page()
    page.goto(f"{live_server.url}/signin?next={to}")
    page.get_by_label("Correo electrónico").fill(cast.lucas.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_label("El código de 6 dígitos").fill(cast.totp_code(cast.lucas))
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", name="Casos de seguimiento")).to_be_visible()
    return page


def test_legal_opens_updates_and_shares_a_case_on_a_phone(
    browser: Browser, live_server: LiveServer, cast: Cast, sessions: sessionmaker[Session],
    db: Session, tmp_path: Path,
) -> None:  # fmt: skip
    incident = make_incident(sessions, cast)
    page = lucas_signs_in(
        browser, live_server, cast, 390, f"/organizations/{cast.eastside}/cases?incident={incident}"
    )
    expect(page.get_by_text("Todavía no hay casos.")).to_be_visible()
    expect(page.get_by_label("Incidente del arresto")).to_have_value(str(incident))
    page.get_by_label("Cómo desea ser nombrada la persona").fill("Tomás")
    page.get_by_label("Contacto de la familia").fill("Hermana, 323 555 0172")
    page.get_by_label("Dónde está detenido(a)").select_option(
        label="Adelanto ICE Processing Center (Adelanto)"
    )
    screenshot(page, "cases-open-es-390")
    page.get_by_role("button", name="Abrir el caso").click()

    expect(page.get_by_role("heading", name="Caso de Tomás")).to_be_visible()
    expect(page.get_by_label("Contacto de la familia")).to_have_value("Hermana, 323 555 0172")
    page.get_by_label("Estado del caso").select_option(label="Derivado a una organización aliada")
    page.get_by_label("Próximos pasos").fill("Pedir audiencia de fianza")
    page.get_by_role("button", name="Guardar el caso").click()
    expect(page.get_by_label("Próximos pasos")).to_have_value("Pedir audiencia de fianza")
    expect(page.get_by_label("Estado del caso")).to_have_value("referred")

    lawyer = pyrage.x25519.Identity.generate()
    page.get_by_label("Su clave pública").fill(str(lawyer.to_public()))
    screenshot(page, "case-es-390")
    with page.expect_download() as download:
        page.get_by_role("button", name="Descargar el archivo cifrado").click()
    saved = tmp_path / "case.json.age"
    download.value.save_as(saved)
    opened = json.loads(pyrage.decrypt(saved.read_bytes(), [lawyer]))
    assert opened["case"]["name"] == "Tomás" and opened["case"]["status"] == "referred"
    assert opened["case"]["facility"] == "Adelanto ICE Processing Center (Adelanto)"

    case = db.scalars(select(FollowUpCase)).one()
    assert b"Tom" not in case.private_ciphertext
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {"cases.opened", "cases.viewed", "cases.updated", "cases.exported"} <= actions
    page.context.close()


def test_a_bad_key_reads_as_a_sentence_and_the_list_fits_a_desktop(
    browser: Browser, live_server: LiveServer, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    incident = make_incident(sessions, cast)
    page = lucas_signs_in(
        browser,
        live_server,
        cast,
        1366,
        f"/organizations/{cast.eastside}/cases?incident={incident}",
    )
    page.get_by_label("Cómo desea ser nombrada la persona").fill("Marisol")
    page.get_by_role("button", name="Abrir el caso").click()
    expect(page.get_by_role("heading", name="Caso de Marisol")).to_be_visible()
    page.get_by_label("Su clave pública").fill("age1estonoesunaclave")
    page.get_by_role("button", name="Descargar el archivo cifrado").click()
    expect(page.get_by_text("Esa no es una clave pública válida")).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="Todos los casos").click()
    expect(page.locator(".case-list")).to_contain_text("Marisol")
    expect(page.locator(".case-list")).to_contain_text("Abierto: buscando a la persona")
    screenshot(page, "cases-es-1366")
    page.context.close()
