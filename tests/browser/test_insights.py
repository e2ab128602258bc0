"""The dashboards on the demo coalition's history, in Chromium: the README's screenshot.

`VECINOS_README_IMAGES=1 pytest tests/browser/test_insights.py` also refreshes
docs/images/dashboard.png; ordinary runs leave the working tree alone."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import ARTIFACTS, LiveServer, screenshot
from tests.browser.spanish import no_overflow, spanish
from tests.browser.test_accessibility import serious_problems
from tests.browser.test_coverage_plan import WIDE
from tests.demo_seed import seeded_demo
from vecinos.accounts import totp
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.demo.seed import DEMO_PASSWORD, DemoLogin

pytestmark = pytest.mark.browser
README_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "dashboard.png"


def demo(sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock) -> DemoLogin:
    result = seeded_demo(
        sessions, settings, clock, coalition="LA County Rapid Response", hotline=False
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


@pytest.mark.parametrize("width", [390, 1366])
def test_the_plan_sits_beside_the_reached_map_in_spanish(
    browser: Browser,
    live_server: LiveServer,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    width: int,
) -> None:
    login = demo(sessions, settings, clock)
    assert login.totp_secret is not None
    page = spanish(browser, "phone" if width < WIDE else "desk").new_page()
    page.goto(f"{live_server.url}/signin")
    page.get_by_label("Correo electrónico").fill(login.email)
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_label("El código de 6 dígitos").fill(totp.code_at(login.totp_secret, clock.now()))
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("link", name="Estadísticas", exact=True).click()
    charts = page.locator("section.chart")
    reached = charts.filter(has=page.locator("#chart-coverage"))
    planned = charts.filter(
        has=page.get_by_role(
            "heading", name="Cobertura programada: turnos previstos a los que les falta gente"
        )
    )
    expect(planned).to_be_visible()
    # Right after the reached/unreached map, so the two are read together.
    order = page.eval_on_selector_all("section.chart h2", "hs => hs.map(h => h.id)")
    assert order.index("chart-scheduled-coverage") == order.index("chart-coverage") + 1
    expect(reached.locator("svg[role=img]")).to_be_visible()
    # A hexagon for the school's watch, named in Spanish (the map's tooltips).
    school = planned.locator("svg[role=img] polygon > title", has_text="Roosevelt High School")
    expect(school).to_have_count(1)
    expect(school).to_contain_text("turnos")
    planned.get_by_text("Ver los números").click()
    numbers = planned.get_by_role("table")
    expect(numbers).to_contain_text("personas que faltan")
    expect(numbers).to_contain_text("Roosevelt High School")
    no_overflow(page)
    planned.screenshot(path=str(ARTIFACTS / f"insights-scheduled-es-{width}.png"))
    page.context.close()
