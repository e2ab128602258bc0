"""WhatsApp on the staff pages, in Spanish: the alert composer counts a WhatsApp subscriber
under the word "WhatsApp", and the demo inbox files what went to WhatsApp in a thread of its
own, apart from the same number's text messages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import north, subscriber
from tests.browser.demo_day import worker_round
from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.browser.test_demo_inbox import publish_from_the_console
from tests.cast import Cast
from tests.dispatch.factories import make_incident
from vecinos.alerts.models import ChannelKind
from vecinos.config import Settings
from vecinos.incidents.models import IncidentState

pytestmark = pytest.mark.browser
NUMBER = "+12135550142"


def test_staff_see_whatsapp_as_a_word_in_the_composer_and_the_inbox(
    browser: Browser,
    demo_server: LiveServer,
    demo_settings: Settings,
    cast: Cast,
    sessions: sessionmaker[Session],
) -> None:
    # A number that texted ALERTAS by WhatsApp (tests/hotline/test_whatsapp.py has that path).
    subscriber(
        sessions,
        demo_settings,
        cast.clock,
        north(100),
        language="es",
        channel=ChannelKind.WHATSAPP,
        contact=NUMBER,
    )
    make_incident(sessions, cast, state=IncidentState.CONFIRMED)
    staff = spanish(browser, "desk").new_page()
    sign_in(staff, demo_server, cast, cast.dario, "/dispatch")
    staff.locator('.cards[data-state="confirmed"] .card').click()
    rows = staff.locator("#alert-messages .message-head")
    expect(rows.filter(has_text="WhatsApp")).to_have_count(1)
    expect(rows.filter(has_text=re.compile("whatsapp"))).to_have_count(0)  # the word, not code
    screenshot(staff, "whatsapp-composer-desk")
    publish_from_the_console(staff, demo_server)

    cast.clock.advance(seconds=30)
    worker_round(sessions, demo_settings, cast.clock)
    phone = spanish(browser, "phone").new_page()
    cast.clock.advance(seconds=30)  # a fresh two-factor code: the last one is spent
    sign_in(phone, demo_server, cast, cast.dario, "/demo/inbox")
    staff.goto(f"{demo_server.url}/demo/inbox")
    for size, page in (("desk", staff), ("phone", phone)):
        thread = page.get_by_role("region", name=re.compile(rf"^WhatsApp: \{NUMBER}$"))
        expect(thread.locator(".channel")).to_have_text("WhatsApp")
        expect(thread.locator(".message.kind-alert")).to_contain_text("CONFIRMADO")
        # Alerts by WhatsApp are not texts: no "text back from this phone" box, no SMS thread.
        expect(thread.locator("form.text-back")).to_have_count(0)
        expect(page.get_by_role("region", name=re.compile("mensaje de texto"))).to_have_count(0)
        no_overflow(page)
        screenshot(page, f"whatsapp-inbox-{size}")
