"""The service worker keeps public pages and static files for offline use, and nothing else:
no signed-in page, no API answer; signing out empties the caches (a shared or seized phone)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer
from tests.browser.spanish import sign_in, spanish
from tests.cast import Cast
from tests.dispatch.factories import make_incident

pytestmark = pytest.mark.browser
CACHED = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) found.push(new URL(request.url).pathname);
  }
  return found;
}"""


def cached(page: Page) -> list[str]:
    paths: list[str] = page.evaluate(CACHED)
    return paths


def test_only_public_pages_are_kept_and_sign_out_empties_the_caches(
    browser: Browser, live_server: LiveServer, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    incident_id = make_incident(sessions, cast)
    context = spanish(browser, "phone")
    page = context.new_page()
    page.goto(f"{live_server.url}/report")
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # from now on the worker answers this page's requests
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{live_server.url}/alerts")
    sign_in(page, live_server, cast, cast.lucas, "/account")
    page.goto(f"{live_server.url}/evidence/incidents/{incident_id}")
    expect(
        page.get_by_role("heading", name=f"Evidencia del incidente {incident_id}")
    ).to_be_visible()
    page.goto(f"{live_server.url}/alerts")  # a public page, seen while signed in
    page.goto(f"{live_server.url}/account")

    kept = cached(page)
    assert {"/report", "/static/app.css", "/static/report.js"} <= set(kept)
    private = [p for p in kept if p.startswith(("/account", "/evidence", "/api", "/signin"))]
    assert private == [], private

    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert [p for p in cached(page) if not p.startswith("/static/")] in ([], ["/"])
    context.set_offline(True)  # offline, the account page is simply not there
    offline = page.evaluate("fetch('/account').then((r) => r.status).catch(() => 'unreachable')")
    assert offline == "unreachable"
    context.close()
