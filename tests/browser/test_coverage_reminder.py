"""A volunteer on a phone signs up for a shift at a school and leaves a number; the reminders
the worker queues reach that phone in the demo inbox, in Spanish, through the delivery engine;
the link in the reminder opens her shift, and she checks in from it with one tap."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.demo_day import worker_round
from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import Cast
from tests.coverage.factories import SCHOOL, make_schedule, make_site, slots_of
from vecinos.config import Settings
from vecinos.coverage.models import Signup
from vecinos.dispatch.models import Shift

pytestmark = pytest.mark.browser
THREAD = "Mensaje de texto: +12135550199"


def test_the_reminder_reaches_the_phone_in_the_demo_inbox_and_she_checks_in_from_it(
    browser: Browser,
    demo_server: LiveServer,
    demo_settings: Settings,
    cast: Cast,
    sessions: sessionmaker[Session],
    db: Session,
) -> None:
    # Links in messages point at this server.
    linked = demo_settings.model_copy(update={"public_url": demo_server.url})
    site = make_site(sessions, cast, demo_settings)
    schedule = make_schedule(sessions, cast, demo_settings, site_id=site, start_time=time(14, 0))
    monday = slots_of(db, schedule)[0]
    phone = spanish(browser, "phone").new_page()
    sign_in(phone, demo_server, cast, cast.rosa, "/coverage")
    phone.locator(f"#slot-{monday.id}").get_by_role("button", name="Anotarme").click()
    expect(phone.get_by_text("1 de 2 personas")).to_be_visible()
    phone.get_by_label("Mensajes de texto a").fill("213 555 0199")
    phone.locator("form", has=phone.get_by_label("Mensajes de texto a")).get_by_role(
        "button", name="Guardar"
    ).click()
    expect(phone.get_by_label("Mensajes de texto a")).to_have_attribute(
        "placeholder", "guardado (oculto)"
    )

    # 10:00, four hours ahead: the reminder of the coming shift.
    worker_round(sessions, linked, cast.clock)
    phone.goto(f"{demo_server.url}/demo/inbox")
    thread = phone.get_by_role("region", name=THREAD)
    notice = thread.locator(".message.kind-notice")
    expect(notice).to_have_count(1)
    expect(notice.locator(".meta")).to_contain_text("Aviso")
    expect(notice).to_contain_text(
        "recordatorio, está de turno en School drop-off watch (Ninth Street School)"
        " el lunes 1 de junio a las 14:00"
    )
    no_overflow(phone)
    screenshot(phone, "coverage-reminder-inbox-es-390")

    # 13:35: "an hour before" arrives; its link opens her shift, where check-in is one tap.
    cast.clock.set(monday.starts_at - timedelta(minutes=25))
    worker_round(sessions, linked, cast.clock)
    phone.reload()
    expect(notice).to_have_count(2)
    soon = notice.nth(1)
    expect(soon).to_contain_text("empieza a las 14:00, en una hora o menos")
    soon.get_by_role("link").click()
    expect(phone).to_have_url(f"{demo_server.url}/coverage#signup-{_signup_id(db, cast)}")
    phone.get_by_role("button", name="Registrar entrada en este turno").click()
    expect(phone.get_by_text("Entrada registrada a las 13:35.")).to_be_visible()
    db.expire_all()
    shift = db.scalar(select(Shift).where(Shift.member_id == cast.rosa.member_id))
    assert shift is not None and (shift.lat, shift.lon) == SCHOOL
    no_overflow(phone)
    screenshot(phone, "coverage-reminder-checked-in-es-390")

    # Checked in: no "you have not checked in" afterwards; Tuesday's watch, still short,
    # is the next thing she hears of.
    cast.clock.advance(minutes=demo_settings.coverage_late_minutes + 15)
    worker_round(sessions, linked, cast.clock)
    phone.goto(f"{demo_server.url}/demo/inbox")
    expect(notice).to_have_count(3)
    expect(notice.nth(2)).to_contain_text("del martes 2 de junio a las 14:00 le faltan 2 personas")
    expect(thread).not_to_contain_text("no registró su entrada")
    phone.context.close()


def _signup_id(db: Session, cast: Cast) -> int:
    db.expire_all()
    found = db.scalar(select(Signup.id).where(Signup.member_id == cast.rosa.member_id))
    assert found is not None
    return found
