"""Parents subscribe to their school: the fixed posts volunteers watch are places on the
subscribe page, in Spanish, on a phone and at a desk."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, spanish
from tests.cast import Cast
from tests.coverage.factories import SCHOOL, make_site
from vecinos.alerts.models import Subscription
from vecinos.config import Settings

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_a_parent_subscribes_to_alerts_around_their_school(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    db: Session,
    size: str,
) -> None:
    make_site(sessions, cast, settings)  # Ninth Street School, a school volunteers watch
    page = spanish(browser, size).new_page()
    page.goto(f"{live_server.url}/alerts/subscribe")
    picker = page.get_by_label("O cerca de una escuela u otro lugar que cuidan los voluntarios")
    expect(picker).to_be_visible()
    picker.select_option(label="Ninth Street School (Escuela)")
    expect(page.locator("#pin-status")).to_have_text("Marcador cerca de Los Angeles (90014).")
    expect(page.get_by_label("A menos de")).to_have_value("1000")
    page.get_by_label("Correo electrónico", exact=True).check()
    page.get_by_label("Número de teléfono o correo").fill("madre@example.org")
    no_overflow(page)
    screenshot(page, f"subscribe-school-es-{size}")
    page.get_by_role("button", name="Suscribirme").click()
    expect(page.get_by_role("status")).to_contain_text("Revise su correo")
    subscription = db.scalar(select(Subscription))
    assert subscription is not None
    assert (subscription.lat, subscription.lon, subscription.radius_m) == (*SCHOOL, 1000)
    page.context.close()
