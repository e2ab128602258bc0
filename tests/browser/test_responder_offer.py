"""What a volunteer sees of an offer, in Spanish, on a phone and at a desk: what is happening,
where by name, how far away; and no finding chosen for them (a "confirmed" alerts on its own)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import Cast
from tests.dispatch.factories import client_for, make_incident
from tests.geo.factories import MARIACHI_PLAZA, add_gazetteer
from vecinos.config import Settings
from vecinos.incidents.models import Incident, IncidentState

pytestmark = pytest.mark.browser
NEARBY = (MARIACHI_PLAZA[0] + 0.0108, MARIACHI_PLAZA[1])  # 1.2 km north of the plaza


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_the_offer_says_what_where_and_how_far_and_nothing_is_chosen(
    browser: Browser,
    live_server: LiveServer,
    app: FastAPI,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    db: Session,
    size: str,
) -> None:
    add_gazetteer(sessions, cast, settings)
    page = spanish(
        browser,
        size,
        geolocation={"latitude": NEARBY[0], "longitude": NEARBY[1]},
        permissions=["geolocation"],
    ).new_page()
    sign_in(page, live_server, cast, cast.rosa, "/responder")
    page.get_by_role("button", name="Iniciar turno y compartir mi ubicación").click()
    expect(page.locator("#shift-indicator")).to_have_class("indicator sharing")
    incident_id = make_incident(sessions, cast, at=MARIACHI_PLAZA)
    dispatcher = client_for(app, cast, cast.dario)
    assert dispatcher.post(f"/api/incidents/{incident_id}/dispatch", json={}).status_code == 201

    offer = page.locator(".offer")
    expect(offer.get_by_role("heading", name="Vehículos estacionados")).to_be_visible(timeout=10000)
    expect(offer.locator(".where")).to_have_text("Mariachi Plaza, Boyle Heights (90033)")
    expect(offer.locator(".distance")).to_have_text("a 1,2 km")
    screenshot(page, f"responder-offer-{size}")
    offer.get_by_role("button", name="Aceptar").click()
    offer.get_by_role("button", name="Estoy en el lugar").click()
    findings = offer.locator('input[name^="finding-"]')  # not the observer report's own
    expect(findings).to_have_count(3)
    for choice in findings.all():
        expect(choice).not_to_be_checked()
    offer.get_by_role("button", name="Enviar lo que encontré").click()
    expect(page.locator("#message")).to_have_text("Elija lo que encontró.")
    db.expire_all()
    incident = db.get(Incident, incident_id)
    assert incident is not None and incident.state == IncidentState.VERIFYING
    offer.get_by_label("Confirmado: lo estoy viendo").check()
    offer.get_by_role("button", name="Enviar lo que encontré").click()
    expect(page.locator("#message")).to_contain_text("Gracias")
    no_overflow(page)
