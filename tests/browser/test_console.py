"""A dispatcher works the live board: a new report appears without reloading, verification is
requested, a false alarm is marked unfounded, and a hotline call is recorded."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.cast import PASSWORD, Cast
from tests.dispatch.factories import SCENE, north, on_shift
from tests.reports.factories import body
from vecinos.incidents.models import Incident, IncidentState
from vecinos.reports.models import Report, Source

pytestmark = pytest.mark.browser


def sign_in_dispatcher(page: Page, live_server: LiveServer, cast: Cast) -> None:
    page.goto(f"{live_server.url}/signin?next=/dispatch")
    page.get_by_label("E-mail").fill(cast.dario.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("The 6-digit code").fill(cast.totp_code(cast.dario))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dispatch", exact=True)).to_be_visible()


def test_the_board_is_live_and_verification_is_one_click(
    page: Page,
    live_server: LiveServer,
    client: TestClient,
    cast: Cast,
    sessions: sessionmaker[Session],
    db: Session,
) -> None:
    sign_in_dispatcher(page, live_server, cast)
    on_shift(sessions, cast, cast.rosa, north(300))
    reported = client.post("/api/reports", json=body(SCENE))
    assert reported.status_code == 201, reported.text

    card = page.locator('.cards[data-state="reported"] .card')
    expect(card).to_have_count(1, timeout=10000)  # arrived through the event stream
    expect(card).to_contain_text("UNVERIFIED")
    card.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail")).to_be_visible()
    page.get_by_role("button", name="Ask for verification").click()
    expect(page.locator("#detail-message")).to_contain_text("1 responder asked")
    expect(page.locator('.cards[data-state="verifying"] .card')).to_have_count(1)
    expect(page.locator("#detail-offers")).to_contain_text("Rosa")
    screenshot(page, "dispatch-board")

    page.get_by_role("button", name="Mark unfounded").click()
    expect(page.locator('.cards[data-state="unfounded"] .card')).to_have_count(1)
    incident = db.scalar(select(Incident))
    assert incident is not None and incident.state == IncidentState.UNFOUNDED


def test_hotline_intake(page: Page, live_server: LiveServer, cast: Cast, db: Session) -> None:
    sign_in_dispatcher(page, live_server, cast)
    page.get_by_role("link", name="Hotline intake").click()
    page.get_by_label("Checkpoint").check()
    page.get_by_label("Latitude").fill(str(SCENE[0]))
    page.get_by_label("Longitude").fill(str(SCENE[1]))
    page.get_by_label("Cross streets (not a house address)").fill("Broadway & 5th St")
    page.get_by_role("button", name="Record report").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded as report")
    report = db.scalar(select(Report))
    assert report is not None and report.source == Source.HOTLINE
    assert report.entered_by_id == cast.dario.member_id
