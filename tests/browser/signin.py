"""Sign a person in inside a browser context without driving the sign-in page (its own tests
do that): the context's request API shares the browser's cookies."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.fixtures import LiveServer
from tests.cast import PASSWORD, Cast, Person


def sign_in(page: Page, live_server: LiveServer, cast: Cast, person: Person) -> None:
    login = page.request.post(
        f"{live_server.url}/api/auth/login", data={"email": person.email, "password": PASSWORD}
    )
    assert login.ok, login.text()
    if person.totp_secret:
        second = page.request.post(
            f"{live_server.url}/api/auth/totp",
            data={"code": cast.totp_code(person)},
            headers={"X-CSRF-Token": login.json()["csrf_token"]},
        )
        assert second.ok, second.text()
        cast.clock.advance(seconds=30)  # the next code for this person is a new one
