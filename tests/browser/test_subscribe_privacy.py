"""Finding 3, as a resident sees it: subscribing a number that already gets alerts looks exactly
like subscribing a new one, in Spanish, on a phone and a laptop: a code is on its way *if* the
number can receive alerts. The page never says "already subscribed"."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session

from tests.alerts.factories import body, sms_code
from tests.browser.fixtures import LiveServer, screenshot
from vecinos.config import Settings

pytestmark = pytest.mark.browser
PROMISE = "Si este número puede recibir alertas, le llegará un código por mensaje de texto."


@pytest.mark.parametrize(("size", "width", "height"), [("phone", 390, 844), ("laptop", 1366, 900)])
def test_a_subscribed_number_gets_the_same_answer_as_a_new_one(
    browser: Browser,
    live_server: LiveServer,
    client: TestClient,
    db: Session,
    settings: Settings,
    size: str,
    width: int,
    height: int,
) -> None:
    made = client.post("/api/alerts/subscriptions", json=body(contact="213-555-0142")).json()
    code = sms_code(db, settings)
    confirmed = client.post(
        "/api/alerts/subscriptions/confirm", json={"handle": made["handle"], "code": code}
    )
    assert confirmed.status_code == 200

    page = browser.new_context(
        locale="es-ES", viewport={"width": width, "height": height}
    ).new_page()
    answers = []
    for number in ("213-555-0142", "213-555-0177"):  # subscribed, then never seen
        page.goto(f"{live_server.url}/alerts/subscribe?lang=es")
        page.locator("#map").click(position={"x": 150, "y": 120})
        page.get_by_label("Número de teléfono o correo").fill(number)
        page.get_by_role("button", name="Suscribirme").click()
        status = page.get_by_role("status")
        expect(status).to_contain_text(PROMISE)
        expect(page.get_by_label("Código del mensaje de texto")).to_be_visible()
        answers.append(status.inner_text())
        if number.endswith("0142"):
            screenshot(page, f"subscribe-privacy-{size}")
    assert answers[0] == answers[1]
    assert "suscrit" not in answers[0].lower()
    page.context.close()
