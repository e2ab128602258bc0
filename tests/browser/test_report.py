"""A resident reports from a phone, online and offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import spanish
from tests.evidence.helpers import photo_with_gps
from vecinos.config import Settings
from vecinos.evidence.models import Media
from vecinos.reports.models import Report, SpentChallenge

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """As deployed: every report carries a solved proof-of-work challenge, which the page
    fetches and solves itself (a smaller search space than a deployment's, for speed)."""
    return settings.model_copy(update={"report_proof_of_work": True, "report_challenge_work": 5000})


def phone(browser: Browser) -> BrowserContext:
    return browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-US"
    )


def reports(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Report)) or 0


def fill_report(page: Page) -> None:
    page.get_by_label("Agents on foot").check()
    page.get_by_label("Border Patrol (CBP)").check()
    page.get_by_label("How many agents?").fill("4")
    page.locator("#map").click(position={"x": 150, "y": 120})
    expect(page.locator("#pin-status")).not_to_have_text("No pin yet.")
    page.get_by_label("Cross streets (not a house address)").fill("Cesar Chavez Ave & Soto St")


def test_a_resident_reports_from_a_phone(
    browser: Browser, live_server: LiveServer, db: Session
) -> None:
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/report")
    fill_report(page)
    screenshot(page, "report")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("Sent. Volunteers will check it.")
    assert reports(db) == 1
    report = db.scalar(select(Report))
    assert report is not None and report.activity == "agents_on_foot" and report.agents == 4
    context.close()


def test_an_offline_report_waits_on_the_phone_and_is_sent_once(
    browser: Browser, live_server: LiveServer, db: Session
) -> None:
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/report")
    fill_report(page)
    context.set_offline(True)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("You are offline")
    screenshot(page, "report-offline")
    assert reports(db) == 0
    kept = page.evaluate("JSON.parse(localStorage.getItem('vecinos.outbox')).length")
    assert kept == 1

    context.set_offline(False)
    expect(page.get_by_role("status")).to_contain_text("Your saved report was sent.")
    assert reports(db) == 1
    assert page.evaluate("JSON.parse(localStorage.getItem('vecinos.outbox')).length") == 0
    page.reload()  # a reload finds an empty outbox: nothing is sent twice
    page.wait_for_timeout(300)
    assert reports(db) == 1
    context.close()


def test_a_photo_taken_offline_follows_its_report(
    browser: Browser, live_server: LiveServer, db: Session, tmp_path: Path
) -> None:
    picture = tmp_path / "seen.jpg"
    picture.write_bytes(photo_with_gps())
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/report")
    fill_report(page)
    page.get_by_label("Photo (optional; taken from a safe distance)").set_input_files(picture)
    context.set_offline(True)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("You are offline")
    context.set_offline(False)
    expect(page.get_by_role("status")).to_contain_text("The photo was sent too.")
    db.expire_all()
    media = db.scalar(select(Media))
    assert media is not None and media.kind == "photo"
    assert reports(db) == 1
    context.close()


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_a_report_in_spanish_solves_its_challenge_and_is_sent(
    browser: Browser, live_server: LiveServer, db: Session, size: str
) -> None:
    context = spanish(browser, size)
    page = context.new_page()
    page.goto(f"{live_server.url}/report")
    page.get_by_label("Agentes a pie").check()
    page.locator("#map").click()  # its middle: inside the area at either width
    expect(page.locator("#pin-status")).not_to_have_text("Aún no hay marcador.")
    page.get_by_role("button", name="Enviar reporte").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Enviado. Personas voluntarias lo revisarán.")
    screenshot(page, f"report-proof-es-{size}")
    assert reports(db) == 1
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(SpentChallenge)) == 1  # its proof, spent
    context.close()
