"""People as they use vecinos in Spanish: on a phone (390 px) or at a desk (1366 px)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.browser.fixtures import LiveServer
from tests.cast import PASSWORD, Cast, Person

PHONE: ViewportSize = {"width": 390, "height": 844}
DESK: ViewportSize = {"width": 1366, "height": 900}
SIZES = {"phone": PHONE, "desk": DESK}


def spanish(browser: Browser, size: str = "desk", **options: Any) -> BrowserContext:
    if size == "phone":
        options.setdefault("is_mobile", True)
        options.setdefault("has_touch", True)
    return browser.new_context(viewport=SIZES[size], locale="es-MX", **options)


def sign_in(page: Page, server: LiveServer, cast: Cast, person: Person, target: str) -> None:
    page.goto(f"{server.url}/signin?next={target}")
    page.get_by_label("Correo electrónico").fill(person.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    if person.totp_secret:
        page.get_by_label("El código de 6 dígitos").fill(cast.totp_code(person))
        page.get_by_role("button", name="Continuar").click()
    expect(page).to_have_url(f"{server.url}{target}")


WIDER_THAN = """(width) => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > width)
  .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + e.className)
  .slice(0, 8)"""


def overflow(page: Page) -> str | None:
    """What sticks out sideways, if the page is wider than the screen. (A mobile browser
    widens its layout to fit what overflows, so the screen's width is the one to hold to.)"""
    screen = page.viewport_size
    assert screen is not None
    wide: int = page.evaluate("document.documentElement.scrollWidth")
    if wide <= screen["width"]:
        return None
    return f"{page.url} is {wide} px wide: {page.evaluate(WIDER_THAN, screen['width'])}"


def no_overflow(page: Page) -> None:
    """Nothing sticks out sideways: the page is no wider than the screen."""
    found = overflow(page)
    assert found is None, found


INSIDE_MAP = """(selector) => {
  const box = document.getElementById('map').getBoundingClientRect();
  return [...document.querySelectorAll(selector)].map((element) => {
    const r = element.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    return x >= box.left && x <= box.right && y >= box.top && y <= box.bottom;
  });
}"""


def inside_map(page: Page, selector: str) -> list[bool]:
    """For each element matching `selector`, whether its centre is inside the map's box."""
    found: list[bool] = page.evaluate(INSIDE_MAP, selector)
    return found
