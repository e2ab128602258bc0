"""A pin on the report and subscribe maps is named by its neighbourhood and ZIP code, in
Spanish, on a phone and at a desk: people read a place they know, not digits (a demo walk
showed a resident "34.03390, -118.20830" for her own street). Only a point rounded to about a
kilometre goes to the server for its name."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import inside_map, no_overflow, spanish
from tests.cast import Cast
from tests.geo.factories import NEAR_MARIACHI_PLAZA, add_gazetteer
from vecinos.config import Settings

pytestmark = pytest.mark.browser
PAGES = {"report": "/report", "subscribe": "/alerts/subscribe"}


@pytest.mark.parametrize("size", ["phone", "desk"])
@pytest.mark.parametrize("page_name", list(PAGES))
def test_my_location_is_named_by_its_neighbourhood_never_by_its_digits(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    page_name: str,
    size: str,
) -> None:
    add_gazetteer(sessions, cast, settings)
    lat, lon = NEAR_MARIACHI_PLAZA
    context = spanish(
        browser, size, geolocation={"latitude": lat, "longitude": lon}, permissions=["geolocation"]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}{PAGES[page_name]}")
    with page.expect_request(re.compile(r"/api/places/near\?")) as asked:
        page.get_by_role("button", name="Usar mi ubicación").click()
    assert asked.value.url.endswith("/api/places/near?lat=34.05&lon=-118.22")
    status = page.locator("#pin-status")
    expect(status).to_have_text("Marcador cerca de Boyle Heights (90033).")
    assert inside_map(page, ".leaflet-marker-icon") == [True]
    no_overflow(page)
    screenshot(page, f"pin-named-{page_name}-es-{size}")
    context.close()
