"""A coordinator invites a volunteer, changes a role and draws a zone, by keyboard and mouse."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import PASSWORD, Cast
from vecinos.accounts.models import Invite, Organization, RoleGrant
from vecinos.geo.models import Zone

pytestmark = pytest.mark.browser


def test_coordinator_admin(page: Page, live_server: LiveServer, cast: Cast, db: Session) -> None:
    page.goto(f"{live_server.url}/signin")
    page.get_by_label("E-mail").fill(cast.elena.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("The 6-digit code").fill(cast.totp_code(cast.elena))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Organization admin").click()
    expect(page.get_by_role("heading", name="Eastside Response")).to_be_visible()

    rosa = page.locator("#members tr", has_text="Rosa")
    rosa.get_by_role("checkbox", name="legal").check()
    rosa.get_by_role("button", name="Save roles").click()
    expect(page.locator("#admin-message")).to_have_text("Saved.")
    roles = set(
        db.scalars(select(RoleGrant.role).where(RoleGrant.member_id == cast.rosa.member_id))
    )
    assert roles == {"responder", "legal"}

    page.get_by_label("E-mail", exact=True).fill("newcomer@example.org")
    page.get_by_role("button", name="Create invite link").click()
    expect(page.locator("#invite-link")).to_contain_text("/join#")
    assert db.scalar(select(Invite.email)) == "newcomer@example.org"

    page.get_by_label("Zone name").fill("Boyle Heights")
    for x, y in ((100, 100), (300, 100), (300, 200), (100, 200)):
        page.locator("#map").click(position={"x": x, "y": y})
    expect(page.locator("#zone-points")).to_contain_text("4 points")
    page.get_by_role("button", name="Save zone").click()
    expect(page.locator("#zones")).to_contain_text("Boyle Heights")
    zone = db.scalar(select(Zone))
    assert zone is not None and len(zone.geometry["coordinates"][0]) == 5
    expect(page.locator("#audit")).to_contain_text("Roles changed")
    screenshot(page, "admin")


def test_an_invitee_joins_through_the_link(
    page: Page, live_server: LiveServer, cast: Cast, client: TestClient
) -> None:
    cast.sign_in(client, cast.elena)
    invite = client.post(
        f"/api/organizations/{cast.eastside}/invites",
        json={"email": "joiner@example.org", "roles": ["responder"]},
    ).json()
    token = invite["invite_url"].split("#", 1)[1]
    page.goto(f"{live_server.url}/join#{token}")
    page.get_by_label("Your name, as your team knows you").fill("Joaquina Test")
    page.get_by_label("Choose a password").fill("a long phrase for my phone")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome")
    expect(page).to_have_url(f"{live_server.url}/signin", timeout=5000)
    page.get_by_label("E-mail").fill("joiner@example.org")
    page.get_by_label("Password").fill("a long phrase for my phone")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello, Joaquina Test")).to_be_visible()


def test_radio_plan_and_settings(
    page: Page, live_server: LiveServer, cast: Cast, db: Session
) -> None:
    page.goto(f"{live_server.url}/signin?next=/admin/{cast.eastside}")
    page.get_by_label("E-mail").fill(cast.elena.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("The 6-digit code").fill(cast.totp_code(cast.elena))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Default language")).to_have_value("es")
    page.get_by_label("Public hotline number").fill("(323) 555-0199")
    page.get_by_role("button", name="Add a channel").click()
    page.get_by_label("name 1").fill("Dispatch")
    page.get_by_label("channel 1").fill("CH 7")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#admin-message")).to_have_text("Saved.")
    organization = db.get(Organization, cast.eastside)
    assert organization is not None
    assert organization.hotline == "(323) 555-0199"
    assert organization.radio_channels == [{"name": "Dispatch", "channel": "CH 7", "purpose": ""}]


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_a_coordinator_reads_and_changes_roles_in_spanish_without_scrolling_sideways(
    browser: Browser, live_server: LiveServer, cast: Cast, db: Session, size: str
) -> None:
    page = spanish(browser, size).new_page()
    sign_in(page, live_server, cast, cast.elena, f"/admin/{cast.eastside}")
    rosa = page.locator("#members tr", has_text="Rosa")
    # Words, not glyphs, under the column's name, which a phone shows above each value.
    two_factor = rosa.locator('td[data-label="Verificación en dos pasos"]')
    expect(two_factor).to_have_text("sin configurar")
    elena = page.locator("#members tr", has_text="Elena")
    expect(elena.locator('td[data-label="Verificación en dos pasos"]')).to_have_text("configurada")
    shown_above = two_factor.evaluate("(td) => getComputedStyle(td, '::before').content")
    assert shown_above == ('"Verificación en dos pasos"' if size == "phone" else "none")
    no_overflow(page)
    save = rosa.get_by_role("button", name="Guardar roles")
    assert inside_screen(page, save), "the button is off the side of the screen"
    rosa.get_by_role("checkbox", name="apoyo legal").check()
    save.click()
    expect(page.locator("#admin-message")).to_have_text("Guardado.")
    roles = set(
        db.scalars(select(RoleGrant.role).where(RoleGrant.member_id == cast.rosa.member_id))
    )
    assert roles == {"responder", "legal"}
    screenshot(page, f"admin-members-es-{size}")
    page.context.close()


def inside_screen(page: Page, element: Locator) -> bool:
    box, screen = element.bounding_box(), page.viewport_size
    assert box is not None and screen is not None
    return box["x"] >= 0 and box["x"] + box["width"] <= screen["width"]
