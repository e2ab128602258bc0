"""`make demo` and the phone simulator, as a person walks them in Spanish on a phone: a call in
Korean hears the menu in Korean, presses 1, and the demo's operator on today's hotline shift is
rung and takes it. Every request goes through the real, signed webhooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer
from tests.browser.spanish import no_overflow, spanish
from tests.browser.test_phone_simulator import press
from tests.demo_seed import seeded_demo
from vecinos.accounts import totp
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.demo.seed import DEMO_PASSWORD
from vecinos.hotline.voice import phone_languages

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def demo_settings(demo_settings: Settings) -> Settings:
    """The shared demo's, with the token the phone simulator signs with."""
    return demo_settings.model_copy(update={"twilio_auth_token": SecretStr("demo-simulator-token")})


def test_a_korean_call_rings_the_demos_operator_on_shift(
    browser: Browser,
    demo_server: LiveServer,
    sessions: sessionmaker[Session],
    demo_settings: Settings,
    clock: FrozenClock,
) -> None:
    seeded = seeded_demo(sessions, demo_settings, clock)
    login = next(one for one in seeded.logins if one.email.startswith("coordinator@boyle"))
    assert login.totp_secret is not None
    page = spanish(browser, "phone").new_page()
    page.goto(f"{demo_server.url}/signin?next=/demo/phone")
    page.get_by_label("Correo electrónico").fill(login.email)
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_label("El código de 6 dígitos").fill(totp.code_at(login.totp_secret, clock.now()))
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", name="Simulador de teléfono")).to_be_visible()

    korean = str(phone_languages(demo_settings).index("ko") + 1)
    log = page.locator("#sim-call-log")
    page.get_by_role("button", name="Llamar", exact=True).click()
    expect(log).to_contain_text(f"한국어는 {korean}번을 누르세요.")
    expect(log).to_contain_text("Tiếng Việt, xin bấm số")
    SHOTS.mkdir(parents=True, exist_ok=True)
    log.screenshot(path=str(SHOTS / "demo-hotline-language-menu-phone.png"))
    press(page, korean)
    expect(log).to_contain_text("지금 무슨 일이 일어나고 있다면 1번을 누르세요.")
    press(page, "1")
    expect(log).to_contain_text("자원봉사자에게 전화를 걸고 있습니다.")
    expect(log).to_contain_text("Llamando a voluntarios de turno: 1")
    page.get_by_role("button", name="Contesta el voluntario 1").click()
    # The operator hears, in the coalition's language, who is calling.
    expect(log).to_contain_text("El voluntario 1 escucha: Línea de vecinos, llamada en coreano.")
    press(page, "1")
    expect(log).to_contain_text("Conectado: el voluntario está hablando con quien llama.")
    no_overflow(page)
    page.screenshot(path=str(SHOTS / "demo-hotline-korean-phone.png"), full_page=True)
    page.context.close()
