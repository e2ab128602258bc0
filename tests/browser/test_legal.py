"""Legal support's way in, in Spanish, on a phone and at a desk: from their account page to
their organizations' incidents, which are under legal hold, each incident's evidence, and the
signed bundle."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import Cast
from tests.dispatch.factories import make_incident
from vecinos.db import transaction
from vecinos.evidence import holds

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_legal_support_finds_incidents_holds_and_bundles(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    size: str,
) -> None:
    quiet = make_incident(sessions, cast)
    held = make_incident(sessions, cast, at=(34.06, -118.22))
    theirs = make_incident(sessions, cast, organization_id=cast.westside)
    with transaction(sessions) as db:
        holds.place(db, held, cast.eastside, "demanda", actor_id=None, now=cast.clock.now())

    page = spanish(browser, size, accept_downloads=True).new_page()
    sign_in(page, live_server, cast, cast.lucas, "/account")
    page.get_by_role("link", name="Incidentes y evidencia").click()
    expect(page.get_by_role("heading", name="Incidentes y evidencia", exact=True)).to_be_visible()
    listed = page.locator(".legal-incident")
    expect(listed).to_have_count(2)
    expect(page.locator(f"#incident-{theirs}")).to_have_count(0)  # another organization's
    expect(page.locator(f"#incident-{held}")).to_contain_text("Bajo retención legal desde")
    expect(page.locator(f"#incident-{quiet}")).to_contain_text("Vehículos estacionados")
    expect(page.locator(f"#incident-{quiet}")).to_contain_text("0 archivos de evidencia")
    no_overflow(page)
    screenshot(page, f"legal-incidents-{size}")

    page.get_by_role("link", name="Bajo retención legal").click()
    expect(listed).to_have_count(1)
    with page.expect_download() as download:
        page.locator(f"#incident-{held}").get_by_role(
            "link", name="Descargar el paquete firmado"
        ).click()
    with zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes())) as bundle:
        assert {"incident.json", "findings.json", "manifest.sig"} <= set(bundle.namelist())
    page.locator(f"#incident-{held}").get_by_role(
        "link", name="Evidencia y retención legal"
    ).click()
    expect(page.get_by_role("heading", name=f"Evidencia del incidente {held}")).to_be_visible()
