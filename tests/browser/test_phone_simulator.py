"""The demo's phone simulator, in Spanish: a staff member texts REPORTE through the whole
conversation at a desk, and on a phone calls the hotline, picks Spanish and "happening now",
a volunteer on duty hears the whisper and takes the call; a second call nobody answers ends
in a message. Every request goes through the real, signed webhooks."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import Cast
from tests.geo.factories import add_gazetteer
from tests.hotline.factories import on_hotline_shift
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.hotline import operators
from vecinos.hotline.call_models import HotlineCall
from vecinos.hotline.models import TextFollowUp
from vecinos.reports.models import Report, Source

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_settings(demo_settings: Settings) -> Settings:
    """The shared demo's, with the token the phone simulator signs with."""
    return demo_settings.model_copy(update={"twilio_auth_token": SecretStr("demo-simulator-token")})


def text(page: Page, body: str) -> None:
    replies = page.locator("#sim-thread .received")
    before = replies.count()
    page.get_by_label("Mensaje", exact=True).fill(body)
    page.get_by_role("button", name="Enviar").click()
    expect(replies).to_have_count(before + 1)


def press(page: Page, key: str) -> None:
    page.locator(f'.dialpad .key[data-key="{key}"]').click()


def test_texting_reporte_from_the_simulator_files_a_report(
    browser: Browser,
    demo_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    demo_settings: Settings,
    db: Session,
) -> None:
    add_gazetteer(sessions, cast, demo_settings)
    page = spanish(browser, "desk").new_page()
    sign_in(page, demo_server, cast, cast.dario, "/account")
    page.get_by_role("link", name="Abrir el simulador de teléfono").click()
    expect(page.get_by_role("heading", name="Simulador de teléfono")).to_be_visible()
    replies = page.locator("#sim-thread .received")
    text(page, "REPORTE")
    expect(replies.last).to_contain_text("1 agentes a pie")
    text(page, "9")
    expect(replies.last).to_have_text("Responda con un número del 1 al 6.")
    text(page, "1")
    expect(replies.last).to_contain_text("¿Dónde?")
    text(page, "boyle heights")
    expect(replies.last).to_contain_text("¿Cuándo?")
    text(page, "1")
    expect(replies.last).to_contain_text("recibido, gracias. NO está verificado")
    no_overflow(page)
    screenshot(page, "phone-simulator-text-desk")
    db.rollback()
    assert (
        db.scalar(select(func.count()).select_from(Report).where(Report.source == Source.SMS)) == 1
    )


def test_a_report_texted_by_whatsapp_is_answered_by_whatsapp(
    browser: Browser,
    demo_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    demo_settings: Settings,
    db: Session,
) -> None:
    add_gazetteer(sessions, cast, demo_settings)
    page = spanish(browser, "phone").new_page()
    sign_in(page, demo_server, cast, cast.dario, "/demo/phone")
    page.get_by_label("Enviar por WhatsApp").check()
    replies = page.locator("#sim-thread .received")
    for answer in ("REPORTE", "1", "boyle heights", "1"):
        text(page, answer)
    expect(replies.last).to_contain_text("recibido, gracias. NO está verificado")
    no_overflow(page)
    screenshot(page, "phone-simulator-whatsapp-phone")
    db.rollback()
    (follow_up,) = db.scalars(select(TextFollowUp)).all()
    assert follow_up.channel == "whatsapp"  # how it ends goes back the way it came


def test_a_call_is_taken_by_the_volunteer_on_duty_and_another_leaves_a_message(
    browser: Browser,
    demo_server: LiveServer,
    cast: Cast,
    sessions: sessionmaker[Session],
    demo_settings: Settings,
    db: Session,
) -> None:
    with transaction(sessions) as session:
        operators.set_phone(
            session, cast.dario.member_id, "+12135550111", demo_settings, now=cast.clock.now()
        )
        operators.set_duty(session, cast.dario.member_id, True, cast.clock.now())
    on_hotline_shift(sessions, cast, demo_settings, cast.dario)  # today's check-in: rings
    page = spanish(browser, "phone").new_page()
    sign_in(page, demo_server, cast, cast.dario, "/account")
    page.goto(f"{demo_server.url}/demo/phone")
    log = page.locator("#sim-call-log")
    page.get_by_role("button", name="Llamar", exact=True).click()
    expect(log).to_contain_text("La línea dice: Para español, oprima 1.")
    press(page, "1")
    expect(log).to_contain_text("Oprima 1 si algo está pasando ahora.")
    press(page, "1")
    expect(log).to_contain_text("Llamando a voluntarios de turno: 1")
    page.get_by_role("button", name="Contesta el voluntario 1").click()
    expect(log).to_contain_text("El voluntario 1 escucha: Línea de vecinos, llamada en español.")
    press(page, "1")
    expect(log).to_contain_text("Conectado: el voluntario está hablando con quien llama.")
    no_overflow(page)
    screenshot(page, "phone-simulator-call-taken-phone")

    with transaction(sessions) as session:
        operators.set_duty(session, cast.dario.member_id, False, cast.clock.now())
    page.get_by_role("button", name="Llamar", exact=True).click()
    expect(log).to_contain_text("Para español, oprima 1.")
    press(page, "1")
    expect(log).to_contain_text("Oprima 1 si algo está pasando ahora.")
    press(page, "1")
    expect(log).to_contain_text("Nadie pudo contestar en este momento.")
    page.get_by_role("button", name="Terminar el mensaje").click()
    expect(log).to_contain_text("Gracias. Voluntarios escucharán su mensaje. Adiós.")
    expect(log).to_contain_text("La llamada terminó.")
    screenshot(page, "phone-simulator-message-phone")
    db.rollback()
    answered, messages = (
        db.scalar(
            select(func.count())
            .select_from(HotlineCall)
            .where(HotlineCall.answered_by_id == cast.dario.member_id)
        ),
        db.scalar(
            select(func.count())
            .select_from(HotlineCall)
            .where(HotlineCall.recording_sid.is_not(None))
        ),
    )
    assert (answered, messages) == (1, 1)


def test_there_is_no_simulator_outside_the_demo(
    browser: Browser, live_server: LiveServer, cast: Cast
) -> None:
    page = spanish(browser, "desk").new_page()
    sign_in(page, live_server, cast, cast.dario, "/account")
    answer = page.goto(f"{live_server.url}/demo/phone")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("link", name="Abrir el simulador de teléfono")).to_have_count(0)
