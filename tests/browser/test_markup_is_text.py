"""Finding 2: whatever people type is shown as the words they typed, never as markup. Markup is
put in every field a member of the public or a member can fill (a volunteer's name, a report's
description, cross streets and call-back contact, an organization's name and radio plan, a zone,
an API token); the dispatcher's board (cards, detail, the map's tooltips), the admin page and the
account page are read in Spanish on a phone and a laptop, and none of it became an element."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.cast import Cast, Person
from tests.dispatch.factories import client_for, on_shift
from tests.reports.factories import EASTSIDE_PIN, add_zones, body
from vecinos.accounts.models import Member
from vecinos.accounts.sessions import COOKIE_NAME
from vecinos.db import transaction
from vecinos.geo.models import Zone

pytestmark = pytest.mark.browser

# A tooltip once navigated a dispatcher's page away with the <meta> of a volunteer's name.
MARK = (
    '<b class="pwn">x</b><img class="pwn" src="x">'
    '<meta http-equiv="refresh" content="0;url=/pwned">'
)
RADIO = '<b class="pwn">CH</b>'  # a radio channel's name is short
INJECTED = "document.querySelectorAll('.pwn, body meta, [src=\"x\"]').length"
SIZES = {"phone": (390, 844), "laptop": (1366, 900)}


@pytest.fixture
def marked(
    app: FastAPI, cast: Cast, sessions: sessionmaker[Session], live_server: LiveServer
) -> Iterator[int]:
    """Markup in every field, through the same API and tables people use."""
    add_zones(sessions, cast)
    with transaction(sessions) as db:
        db.execute(update(Member).where(Member.id == cast.rosa.member_id).values(display_name=MARK))
        db.execute(update(Zone).where(Zone.organization_id == cast.eastside).values(name=MARK))
    on_shift(sessions, cast, cast.rosa, (EASTSIDE_PIN[0] + 0.003, EASTSIDE_PIN[1]))
    dario, elena = client_for(app, cast, cast.dario), client_for(app, cast, cast.elena)
    fields = {"description": MARK, "callback_contact": MARK[:100]}
    report = dario.post(
        "/api/reports",
        json=body(EASTSIDE_PIN, location={**body()["location"], "cross_streets": MARK}, **fields),
    )
    assert report.status_code == 201, report.text
    incident = dario.get("/api/incidents").json()[0]["id"]
    asked = dario.post(f"/api/incidents/{incident}/dispatch", json={})
    assert asked.status_code == 201, asked.text
    token = elena.post(f"/api/organizations/{cast.eastside}/tokens", json={"name": MARK})
    assert token.status_code == 201, token.text
    plan = {"name": RADIO, "channel": "7", "purpose": MARK}
    own = {"name": "Eastside " + MARK, "default_language": "es", "radio_channels": [plan]}
    saved = elena.put(f"/api/organizations/{cast.eastside}/settings", json=own)
    assert saved.status_code == 200, saved.text
    yield incident
    dario.close()
    elena.close()


def browse_as(
    browser: Browser, app: FastAPI, cast: Cast, person: Person, url: str, size: str
) -> Page:
    signed_in = client_for(app, cast, person)
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="es-ES")
    context.add_cookies(
        [
            {"name": COOKIE_NAME, "value": signed_in.cookies[COOKIE_NAME], "url": url},
            {"name": "vecinos_lang", "value": "es", "url": url},
        ]
    )
    signed_in.close()
    return context.new_page()


def assert_nothing_injected(page: Page, where: str) -> None:
    assert page.evaluate(INJECTED) == 0, where
    assert "/pwned" not in page.url, where


@pytest.mark.parametrize("size", list(SIZES))
def test_the_dispatchers_board_shows_markup_as_words(
    browser: Browser, app: FastAPI, cast: Cast, live_server: LiveServer, marked: int, size: str
) -> None:
    page = browse_as(browser, app, cast, cast.dario, live_server.url, size)
    page.goto(f"{live_server.url}/dispatch")
    expect(page.get_by_role("heading", name="Despacho", exact=True)).to_be_visible()
    card = page.locator('.cards[data-state="verifying"] .card')
    expect(card).to_contain_text(MARK)  # the cross streets, as typed
    card.click()
    expect(page.locator("#detail-reports")).to_contain_text(MARK)  # description, contact
    expect(page.locator("#detail-offers")).to_contain_text(MARK)  # the volunteer's name

    markers = page.locator("#map path.leaflet-interactive")
    expect(markers.nth(1)).to_be_attached()  # the incident and the volunteer on shift
    seen = []
    for index in range(markers.count()):
        marker = markers.nth(index)
        marker.scroll_into_view_if_needed()
        marker.dispatch_event("mouseover")  # what a pointer resting on it sends
        tooltip = page.locator(".leaflet-tooltip").last
        expect(tooltip).to_be_visible()
        seen.append(tooltip.inner_text())
        assert_nothing_injected(page, f"tooltip {index}")
        if seen[-1] == MARK:
            screenshot(page, f"markup-as-text-dispatch-{size}")  # with the name's tooltip
    assert MARK in seen  # the volunteer's name, as the words it is
    assert_nothing_injected(page, "the board")
    page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_admin_and_account_pages_show_markup_as_words(
    browser: Browser, app: FastAPI, cast: Cast, live_server: LiveServer, marked: int, size: str
) -> None:
    page = browse_as(browser, app, cast, cast.elena, live_server.url, size)
    page.goto(f"{live_server.url}/admin/{cast.eastside}")
    expect(page.locator("#members")).to_contain_text(MARK)
    expect(page.locator("#zones")).to_contain_text(MARK)
    expect(page.locator("body")).to_contain_text("Eastside " + MARK)
    expect(page.get_by_label("Nombre", exact=True)).to_have_value("Eastside " + MARK)
    expect(page.locator("#radio-plan input").first).to_have_value(RADIO)
    assert_nothing_injected(page, "admin")
    screenshot(page, f"markup-as-text-admin-{size}")
    page.goto(f"{live_server.url}/account")
    expect(page.locator("main")).to_contain_text("Eastside " + MARK)
    assert_nothing_injected(page, "account")
    page.context.close()
