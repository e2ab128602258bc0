"""A volunteer signs up for a shift at a school, leaves a number for reminders, and checks in
from the shift with one tap: in Spanish, on a phone and on a desktop."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow
from tests.browser.test_coverage_plan import signed_in
from tests.cast import Cast
from tests.coverage.factories import SCHOOL, make_schedule, make_site, slots_of
from vecinos.config import Settings
from vecinos.coverage.models import MemberContact, Signup
from vecinos.dispatch.models import Shift

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1366])
def test_a_volunteer_signs_up_and_checks_in_from_the_shift(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    db: Session,
    width: int,
) -> None:
    site = make_site(sessions, cast, settings)
    # The clock stands on Monday 1 June at 10:00 in Los Angeles; the watch is at 14:00.
    schedule = make_schedule(sessions, cast, settings, site_id=site, start_time=time(14, 0))
    monday = slots_of(db, schedule)[0]
    page = signed_in(browser, live_server, cast, cast.rosa, width, "/coverage")
    expect(page.get_by_role("heading", name="Turnos e inscripciones")).to_be_visible()
    expect(page.get_by_text("Todavía no está anotado en ningún turno.")).to_be_visible()
    offer = page.locator(f"#slot-{monday.id}")
    expect(offer).to_contain_text("School drop-off watch")
    expect(offer).to_contain_text("lunes 1 de junio, 14:00–15:00 · Ninth Street School")
    expect(offer).to_contain_text("Faltan personas: 2")
    offer.get_by_role("button", name="Anotarme").click()

    db.expire_all()
    signup = db.scalar(select(Signup).where(Signup.member_id == cast.rosa.member_id))
    assert signup is not None and signup.slot_id == monday.id
    mine = page.locator(f"#signup-{signup.id}")
    expect(mine).to_contain_text("lunes 1 de junio, 14:00–15:00 · Ninth Street School")
    expect(mine).to_contain_text("1 de 2 personas")
    expect(mine.get_by_role("button", name="Registrar entrada en este turno")).to_have_count(0)

    page.get_by_label("Mensajes de texto a").fill("213 555 0199")
    page.locator("form", has=page.get_by_label("Mensajes de texto a")).get_by_role(
        "button", name="Guardar"
    ).click()
    expect(page.get_by_label("Mensajes de texto a")).to_have_attribute(
        "placeholder", "guardado (oculto)"
    )
    db.expire_all()
    contact = db.scalar(select(MemberContact).where(MemberContact.member_id == cast.rosa.member_id))
    assert contact is not None and b"2135550199" not in contact.contact_encrypted
    no_overflow(page)
    screenshot(page, f"coverage-volunteer-es-{width}")

    cast.clock.set(monday.starts_at - timedelta(minutes=10))
    page.reload()
    mine = page.locator(f"#signup-{signup.id}")
    mine.get_by_role("button", name="Registrar entrada en este turno").click()
    expect(page.locator(f"#signup-{signup.id}")).to_contain_text("Entrada registrada a las 13:50.")
    db.expire_all()
    shift = db.scalar(select(Shift).where(Shift.member_id == cast.rosa.member_id))
    assert shift is not None and (shift.lat, shift.lon) == SCHOOL
    screenshot(page, f"coverage-volunteer-checked-in-es-{width}")
    page.context.close()
