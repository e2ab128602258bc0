"""A resident subscribes from a phone without an account; the short card link leads there."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.browser.fixtures import LiveServer, screenshot
from vecinos.alerts.models import Subscription

pytestmark = pytest.mark.browser


def test_subscribe_by_email_from_the_card_link(
    browser: Browser, live_server: LiveServer, db: Session
) -> None:
    page = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/subscribe?lang=es")
    expect(page).to_have_url(f"{live_server.url}/alerts/subscribe?lang=es")
    expect(page.get_by_role("heading", name="Recibir alertas")).to_be_visible()
    page.get_by_role("link", name="English").click()
    page.locator("#map").click(position={"x": 150, "y": 120})
    page.get_by_label("Within").select_option("5000")
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("Phone number or e-mail").fill("vecina@example.org")
    page.get_by_label("when the activity has ended (all clear)").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("status")).to_contain_text("Check your e-mail")
    screenshot(page, "subscribe")
    assert db.scalar(select(func.count()).select_from(Subscription)) == 1
    subscription = db.scalar(select(Subscription))
    assert subscription is not None and subscription.wants_all_clear


@pytest.mark.parametrize("width", [390, 1366])
def test_the_page_says_exactly_what_a_subscriber_receives(
    browser: Browser, live_server: LiveServer, width: int
) -> None:
    page = browser.new_context(locale="es-MX", viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{live_server.url}/alerts/subscribe")
    promises = page.locator(".you-get li")
    expect(page.get_by_role("heading", name="Lo que recibirá")).to_be_visible()
    expect(promises).to_have_count(3)
    expect(promises.nth(0)).to_contain_text("confirmaron en el lugar")
    expect(promises.nth(1)).to_contain_text("SIN CONFIRMAR")
    expect(promises.nth(2)).to_contain_text("la corrección si resultó ser falso")
    expect(
        page.get_by_text("sobre reportes en mi zona de los que no recibí alerta")
    ).to_be_visible()
    expect(page.get_by_text("Solo recibirá alertas que")).to_have_count(0)  # the old promise
    screenshot(page, f"subscribe-promises-es-{width}")
    page.context.close()
