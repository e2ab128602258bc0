"""axe-core finds no serious or critical accessibility problem on any main page."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.fixtures import LiveServer, screenshot
from tests.cast import PASSWORD, Cast, Person

pytestmark = pytest.mark.browser
SERIOUS = {"serious", "critical"}
PUBLIC_PAGES = [
    "/",
    "/report",
    "/alerts",
    "/alerts/subscribe",
    "/signin",
    "/rights",
    "/join",
    "/alerts/unsubscribe?token=x",
]


def serious_problems(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(page)
    return [
        {"rule": v["id"], "impact": v["impact"], "where": [n["target"] for n in v["nodes"]]}
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def sign_in(page: Page, url: str, cast: Cast, person: Person, target: str) -> None:
    page.goto(f"{url}/signin?next={target}")
    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if person.totp_secret:
        page.get_by_label("The 6-digit code").fill(cast.totp_code(person))
        page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{url}{target}")


@pytest.mark.parametrize("language", ["en-US", "es-MX"])
def test_public_pages(browser: Browser, live_server: LiveServer, language: str) -> None:
    page = browser.new_context(locale=language).new_page()
    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert serious_problems(page) == [], path
        name = path.strip("/").split("?")[0].replace("/", "-") or "home"
        screenshot(page, f"page-{name}-{language[:2]}")


def test_signed_in_pages(browser: Browser, live_server: LiveServer, cast: Cast) -> None:
    page = browser.new_context(locale="en-US").new_page()
    for person, path in (
        (cast.rosa, "/responder"),
        (cast.dario, "/dispatch"),
        (cast.elena, f"/admin/{cast.eastside}"),
        (cast.rosa, "/account"),
    ):
        page.context.clear_cookies()
        sign_in(page, live_server.url, cast, person, path)
        page.wait_for_load_state("load")
        assert serious_problems(page) == [], path
