"""The whole loop, four people in four browsers: a resident reports, a dispatcher asks for
verification, a responder accepts and confirms, the dispatcher publishes, and another
resident's open alerts page shows the alert live, without reloading."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.cast import PASSWORD, Cast
from tests.dispatch.factories import SCENE
from vecinos.incidents.models import Incident, IncidentState

pytestmark = pytest.mark.browser


def sign_in(page: Page, url: str, email: str, password: str, code: str | None, target: str) -> None:
    page.goto(f"{url}/signin?next={target}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if code:
        page.get_by_label("The 6-digit code").fill(code)
        page.get_by_role("button", name="Continue").click()


def test_the_whole_loop(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    db: Session,
) -> None:
    url = live_server.url
    neighbour = browser.new_context(locale="es-MX").new_page()
    neighbour.goto(f"{url}/alerts")
    expect(neighbour.get_by_text("No hay alertas activas en este momento.")).to_be_visible()

    resident = browser.new_context(
        locale="en-US",
        geolocation={"latitude": SCENE[0], "longitude": SCENE[1]},
        permissions=["geolocation"],
    ).new_page()
    resident.goto(f"{url}/report")
    resident.get_by_label("Vehicles staged").check()
    resident.get_by_role("button", name="Use my location").click()
    expect(resident.locator("#pin-status")).not_to_have_text("No pin yet.")
    resident.get_by_role("button", name="Send report").click()
    expect(resident.get_by_role("status")).to_contain_text("Sent.")

    responder = browser.new_context(
        locale="en-US",
        geolocation={"latitude": SCENE[0] + 0.003, "longitude": SCENE[1]},
        permissions=["geolocation"],
    ).new_page()
    sign_in(responder, url, cast.rosa.email, PASSWORD, None, "/responder")
    responder.get_by_role("button", name="Check in and share my location").click()
    expect(responder.locator("#shift-indicator")).to_contain_text("On shift")

    dispatcher = browser.new_context(locale="en-US").new_page()
    sign_in(dispatcher, url, cast.dario.email, PASSWORD, cast.totp_code(cast.dario), "/dispatch")
    card = dispatcher.locator('.cards[data-state="reported"] .card')
    expect(card).to_have_count(1, timeout=10000)
    card.click()
    dispatcher.get_by_role("button", name="Ask for verification").click()
    expect(dispatcher.locator("#detail-message")).to_contain_text("responder asked")

    offer = responder.locator(".offer")
    expect(offer).to_be_visible(timeout=10000)
    offer.get_by_role("button", name="Accept").click()
    responder.locator(".offer").get_by_role("button", name="On scene").click()
    responder.locator(".offer").get_by_label("Confirmed: I see it").check()
    responder.locator(".offer").get_by_role("button", name="Report finding").click()
    expect(responder.locator("#message")).to_contain_text("Your finding was sent")

    expect(dispatcher.locator('.cards[data-state="confirmed"] .card')).to_have_count(
        1, timeout=10000
    )
    dispatcher.locator('.cards[data-state="confirmed"] .card').click()
    expect(dispatcher.locator("#alert-kind")).to_have_value("confirmed")
    expect(dispatcher.locator("#alert-text-es")).not_to_have_value("")
    expect(dispatcher.locator("#alert-verdict")).to_contain_text("Ready to publish")
    dispatcher.get_by_role("button", name="Publish alert…").click()
    expect(dispatcher.get_by_role("alertdialog")).to_contain_text("Publish a Confirmed alert")
    dispatcher.get_by_role("button", name="Yes, publish it").click()
    expect(dispatcher.locator("#alert-verdict")).to_contain_text("Published")
    screenshot(dispatcher, "loop-dispatcher")

    alert = neighbour.locator(".alert.confirmed")
    expect(alert).to_be_visible(timeout=10000)  # arrived by the stream: no reload
    expect(alert).to_contain_text("CONFIRMADO")
    screenshot(neighbour, "loop-alerts-es")
    incident = db.scalar(select(Incident))
    assert incident is not None and incident.state == IncidentState.CONFIRMED
