"""Rights pages on a small phone, in Debian's Chromium: no sideways scrolling, large type."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.fixtures import LiveServer, screenshot

pytestmark = pytest.mark.browser
SMALL_PHONE: ViewportSize = {"width": 320, "height": 640}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=SMALL_PHONE, device_scale_factor=1)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    ("code", "topic"),
    [("es", "at-home"), ("fa", "witnesses"), ("zh-Hant", "if-detained"), ("ru", "at-work")],
)
def test_a_topic_fits_a_320_pixel_screen(
    phone: Page,
    live_server: LiveServer,
    code: str,
    topic: str,
) -> None:
    response = phone.goto(f"{live_server.url}/rights/{code}/{topic}")
    assert response is not None and response.status == 200
    assert phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    size = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('li')).fontSize)")
    assert size >= 16
    assert phone.locator(".notice").first.is_visible()  # unreviewed or fallback notice
    screenshot(phone, f"rights-{code}-{topic}")
