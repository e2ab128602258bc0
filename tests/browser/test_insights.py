"""The dashboards on the demo coalition's history, in Chromium: the README's screenshot.

`VECINOS_README_IMAGES=1 pytest tests/browser/test_insights.py` also refreshes
docs/images/dashboard.png; ordinary runs leave the working tree alone."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import ARTIFACTS, LiveServer, screenshot
from tests.browser.test_accessibility import serious_problems
from vecinos.accounts import totp
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import transaction
from vecinos.demo.seed import DEMO_PASSWORD, DemoLogin, seed

pytestmark = pytest.mark.browser
README_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "dashboard.png"


def demo(sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock) -> DemoLogin:
    with transaction(sessions) as db:
        result = seed(
            db,
            now=clock.now(),
            encryptor=Encryptor(settings.secret, "totp", settings.old_secrets),
            coalition_name="LA County Rapid Response",
        )
    return next(login for login in result.logins if login.email.startswith("admin@"))


def sign_in(page: Page, server: LiveServer, login: DemoLogin, clock: FrozenClock) -> None:
    assert login.totp_secret is not None
    page.goto(f"{server.url}/signin")
    page.get_by_label("E-mail").fill(login.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("The 6-digit code").fill(totp.code_at(login.totp_secret, clock.now()))
    page.get_by_role("button", name="Continue").click()


def test_dashboards_render_on_demo_data(
    page: Page,
    live_server: LiveServer,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
) -> None:
    login = demo(sessions, settings, clock)
    page.set_viewport_size({"width": 1100, "height": 1500})
    sign_in(page, live_server, login, clock)
    page.get_by_role("link", name="Insights", exact=True).click()
    expect(
        page.get_by_role("heading", name="Insights: Boyle Heights Rapid Response")
    ).to_be_visible()
    expect(page.locator("svg[role=img]")).to_have_count(8)
    expect(page.get_by_role("heading", name="Incidents by zone")).to_be_visible()
    expect(page.get_by_text("Boyle Heights").first).to_be_visible()
    assert serious_problems(page) == []
    page.screenshot(path=str(ARTIFACTS / "insights-dashboard-top.png"))
    if os.environ.get("VECINOS_README_IMAGES"):
        shutil.copyfile(ARTIFACTS / "insights-dashboard-top.png", README_IMAGE)
    screenshot(page, "insights-dashboard")

    page.goto(f"{live_server.url}/account")
    page.get_by_role("link", name="Coalition insights").click()
    expect(page.locator("svg[role=img]")).to_have_count(8)
    screenshot(page, "insights-coalition")

    page.goto(f"{live_server.url}/transparency")
    expect(page.get_by_role("table")).to_contain_text("Week of")
    assert serious_problems(page) == []
    screenshot(page, "transparency")
