"""A dispatcher signs in with a TOTP code and switches language, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.fixtures import LiveServer, screenshot
from tests.cast import PASSWORD, Cast

pytestmark = pytest.mark.browser


def test_sign_in_with_totp(page: Page, live_server: LiveServer, cast: Cast) -> None:
    page.goto(f"{live_server.url}/account")
    expect(page).to_have_url(f"{live_server.url}/signin?next=/account")
    screenshot(page, "signin")
    page.get_by_label("E-mail").fill(cast.dario.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-factor code")).to_be_visible()
    page.get_by_label("The 6-digit code").fill(cast.totp_code(cast.dario))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello, Dario")).to_be_visible()
    expect(page.get_by_text("Eastside Response")).to_be_visible()
    screenshot(page, "account")


def test_a_replayed_code_is_refused_in_the_browser(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    code = cast.totp_code(cast.dario)
    for attempt in range(2):
        page.goto(f"{live_server.url}/signin")
        page.get_by_label("E-mail").fill(cast.dario.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("The 6-digit code").fill(code)
        page.get_by_role("button", name="Continue").click()
        if attempt == 0:
            expect(page.get_by_role("heading", name="Hello, Dario")).to_be_visible()
            page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong or was already used")


def test_language_switch(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/signin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    screenshot(page, "signin-es")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
