"""A responder checks in on a phone, gets an offer, accepts it and confirms what they see."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.cast import PASSWORD, Cast
from tests.dispatch.factories import SCENE, client_for, make_incident
from vecinos.dispatch.models import Shift
from vecinos.incidents.models import Incident, IncidentState

pytestmark = pytest.mark.browser


def test_responder_checks_in_accepts_and_confirms(
    browser: Browser,
    live_server: LiveServer,
    app: FastAPI,
    cast: Cast,
    sessions: sessionmaker[Session],
    db: Session,
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        locale="en-US",
        geolocation={"latitude": SCENE[0] + 0.002, "longitude": SCENE[1]},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/signin?next=/responder")
    page.get_by_label("E-mail").fill(cast.rosa.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Responder")).to_be_visible()
    expect(page.locator("#shift-indicator")).to_contain_text("Off shift")

    page.get_by_label("I have a car").check()
    page.get_by_role("button", name="Check in and share my location").click()
    expect(page.locator("#shift-indicator")).to_contain_text("On shift")
    shift = db.scalar(select(Shift).where(Shift.member_id == cast.rosa.member_id))
    assert shift is not None and shift.has_car

    incident_id = make_incident(sessions, cast)
    dispatcher = client_for(app, cast, cast.dario)
    asked = dispatcher.post(f"/api/incidents/{incident_id}/dispatch", json={})
    assert asked.status_code == 201, asked.text

    offer = page.locator(".offer")
    expect(offer).to_be_visible(timeout=10000)
    expect(offer.locator(".countdown")).to_contain_text("Answer within")
    screenshot(page, "responder-offer")
    offer.get_by_role("button", name="Accept").click()
    expect(offer.get_by_role("link", name="Directions")).to_have_attribute(
        "href", f"geo:{SCENE[0]},{SCENE[1]}"
    )
    page.locator(".offer").get_by_role("button", name="On scene").click()
    page.locator(".offer").get_by_label("Note (what you saw, no names)").fill(
        "Two black SUVs parked by the market"
    )
    page.locator(".offer").get_by_label("Confirmed: I see it").check()
    page.locator(".offer").get_by_role("button", name="Report finding").click()
    expect(page.locator("#message")).to_contain_text("Your finding was sent")
    db.expire_all()
    incident = db.get(Incident, incident_id)
    assert incident is not None and incident.state == IncidentState.CONFIRMED

    page.get_by_role("button", name="Check out").click()
    expect(page.locator("#shift-indicator")).to_contain_text("Off shift")
    context.close()
