"""Coordinators plan coverage and training, dispatchers text the volunteers on shift, residents
ask for accompaniment: in Spanish, on a phone (390 px) and a desktop (1366 px), asserting what a
person reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import Cast, Person
from tests.coverage.factories import first_slot, leave_number, make_schedule, make_site, sign_up
from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.config import Settings
from vecinos.coverage.models import Accompaniment, Schedule, SiteKind, Slot
from vecinos.db import transaction
from vecinos.training.models import TrainingRecord, Vetting

pytestmark = pytest.mark.browser
WIDE = 800  # wider than this is a desk


def signed_in(
    browser: Browser, live_server: LiveServer, cast: Cast, person: Person, width: int, to: str
) -> Page:
    page = spanish(browser, "phone" if width < WIDE else "desk").new_page()
    sign_in(page, live_server, cast, person, to)
    return page


@pytest.mark.parametrize("width", [390, 1366])
def test_a_coordinator_reads_the_calendar_and_plans_a_shift(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    db: Session,
    width: int,
) -> None:
    site = make_site(sessions, cast, settings)
    schedule = make_schedule(sessions, cast, settings, site_id=site)
    sign_up(sessions, cast, cast.rosa, first_slot(sessions, schedule, cast.clock.now()))
    page = signed_in(
        browser, live_server, cast, cast.elena, width, f"/organizations/{cast.eastside}/coverage"
    )
    expect(page.get_by_role("heading", name="Cobertura: Eastside Response")).to_be_visible()
    # The clock stands on Monday 1 June at 10:00 in Los Angeles: the first slot is Tuesday's.
    tuesday = page.get_by_role("heading", name="martes 2 de junio")
    expect(tuesday).to_be_visible()
    first_row = page.locator("table.calendar").first.locator("tbody tr").first
    expect(first_row).to_contain_text("07:30–08:30")
    expect(first_row).to_contain_text("School drop-off watch")
    expect(first_row).to_contain_text("Ninth Street School")
    expect(first_row).to_contain_text("1 de 2: faltan personas")
    expect(first_row).to_contain_text("Rosa")
    expect(page.get_by_role("status").first).to_contain_text("todavía le faltan")
    no_overflow(page)
    screenshot(page, f"coverage-calendar-es-{width}")

    page.get_by_label("Título").fill("   ")  # spaces only: the browser lets it through
    page.get_by_label("Dónde").first.select_option(label="Escuela: Ninth Street School")
    page.get_by_label("mié").check()
    page.get_by_label("Empieza a las (hora local)").fill("17:00")
    page.get_by_label("Duración en minutos").fill("90")
    page.get_by_role("button", name="Crear los turnos").click()
    expect(page.get_by_role("alert")).to_have_text("Dé al horario un título de 1 a 120 caracteres.")
    assert db.scalar(select(func.count()).select_from(Schedule)) == 1  # nothing half-written
    page.go_back()
    page.get_by_label("Título").fill("Patrulla de la tarde")
    page.get_by_role("button", name="Crear los turnos").click()
    wednesday = page.locator("table.calendar tr", has_text="Patrulla de la tarde").first
    expect(wednesday).to_contain_text("17:00–18:30")
    expect(wednesday).to_contain_text("0 de 2: faltan personas")
    screenshot(page, f"coverage-calendar-planned-es-{width}")
    page.context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_a_coordinator_records_training_and_vetting(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    db: Session,
    width: int,
) -> None:
    page = signed_in(
        browser, live_server, cast, cast.elena, width, f"/organizations/{cast.eastside}/training"
    )
    expect(
        page.get_by_role("heading", name="Capacitación y verificación: Eastside Response")
    ).to_be_visible()
    expect(page.get_by_text("Todavía no hay cursos.")).to_be_visible()
    page.get_by_label("Nombre del curso").fill("Observación legal")
    page.get_by_label("Vale por cuántos días (vacío: sin fin)").fill("365")
    page.get_by_label("Observador legal (arrestos, pedidos de observador)").check()
    page.get_by_role("button", name="Agregar el curso").click()
    expect(page.get_by_text("Observación legal · vale 365 días")).to_be_visible()

    page.get_by_label("Quién lo completó").select_option(label="Rosa")
    page.get_by_label("Quién lo avala").select_option(label="Elena")
    page.get_by_role("button", name="Registrarlo").click()
    rosa = page.locator(f"#member-{cast.rosa.member_id}")
    expect(rosa).to_contain_text("Observación legal: vigente hasta el 2027-06-01")
    rosa.get_by_label("Verificación de Rosa").select_option(label="Verificado")
    rosa.get_by_role("button", name="Fijar").click()
    expect(
        page.locator(f"#member-{cast.rosa.member_id}").get_by_label("Verificación de Rosa")
    ).to_have_value("vetted")
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(TrainingRecord)) == 1
    assert db.scalar(select(Vetting.level)) == "vetted"
    no_overflow(page)
    screenshot(page, f"training-es-{width}")
    page.context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_a_resident_asks_for_accompaniment_without_an_account(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    db: Session,
    width: int,
) -> None:
    make_site(
        sessions, cast, settings, "County Courthouse", kind=SiteKind.COURT, at=(34.0537, -118.2427)
    )
    context = spanish(browser, "phone" if width < WIDE else "desk")
    page = context.new_page()
    page.goto(f"{live_server.url}/accompaniment")
    expect(page.get_by_role("heading", name="Pedir acompañamiento")).to_be_visible()
    expect(
        page.get_by_text("Nunca preguntamos por el estatus migratorio de nadie.")
    ).to_be_visible()

    def ask_for(day: str) -> None:
        page.get_by_label("Una audiencia en la corte").check()
        page.get_by_label("Día").fill(day)
        page.get_by_label("Hora").fill("09:00")
        page.get_by_label("Dónde").select_option(label="County Courthouse (Corte)")
        page.get_by_label("Su número de teléfono o correo").fill("213 555 0142")
        page.get_by_role("button", name="Pedir acompañamiento").click()

    ask_for("2026-05-20")  # before the clock's today
    expect(page.get_by_role("alert")).to_have_text("La fecha y la hora ya pasaron.")
    assert db.scalar(select(func.count()).select_from(Accompaniment)) == 0
    page.go_back()
    ask_for("2026-06-04")
    expect(page.get_by_role("status")).to_have_text(
        "Recibimos su pedido para el jueves 4 de junio, 09:00 en County Courthouse."
        " Le escribiremos en cuanto un voluntario confirme."
    )
    no_overflow(page)
    screenshot(page, f"accompaniment-es-{width}")
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Accompaniment)) == 1
    context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_a_dispatcher_texts_the_volunteers_at_a_school_when_radios_do_not_reach(
    browser: Browser,
    live_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    db: Session,
    width: int,
) -> None:
    site = make_site(sessions, cast, settings)
    schedule = make_schedule(sessions, cast, settings, site_id=site)
    slot = first_slot(sessions, schedule, cast.clock.now())
    sign_up(sessions, cast, cast.rosa, slot)
    leave_number(sessions, cast, settings, cast.rosa, "213 555 0199")
    with transaction(sessions) as tx:
        starts = tx.get(Slot, slot)
        assert starts is not None
        cast.clock.set(starts.starts_at - timedelta(minutes=20))
    page = signed_in(
        browser, live_server, cast, cast.dario, width, f"/organizations/{cast.eastside}/coverage"
    )
    section = page.locator("#broadcast")
    expect(
        section.get_by_role("heading", name="Mensaje a los voluntarios de turno")
    ).to_be_visible()
    section.get_by_label("Para").select_option(label="Escuela: Ninth Street School")
    section.get_by_label("Mensaje (sin nombres)").fill("La radio no llega: usen el canal 5.")
    section.get_by_role("button", name="Enviar").click()
    expect(page.locator("#broadcast").get_by_role("status")).to_have_text(
        "Mensaje en camino a 1 voluntario."
    )
    db.expire_all()
    (queued,) = db.scalars(select(Delivery).where(Delivery.purpose == "coverage.broadcast"))
    assert queued.language == "es" and queued.status == DeliveryStatus.QUEUED
    no_overflow(page)
    screenshot(page, f"coverage-broadcast-es-{width}")
    page.context.close()
