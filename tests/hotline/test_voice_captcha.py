"""The voice CAPTCHA: switched on by hand, or by itself when calls per minute reach the
threshold; only a caller who presses the digits they heard reaches the menu."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.hotline.conftest import Webhook, says
from vecinos.config import Settings
from vecinos.hotline.call_models import CallStatus, HotlineCall


def heard(twiml_lines: list[tuple[str, str]]) -> str:
    """The digits as the English line says them: "press these digits: 4, 7, 2." → "472"."""
    english = next(line for language, line in twiml_lines if language == "en-US")
    found = re.search(r"digits: ([\d, ]+)\.", english)
    assert found is not None, english
    return found.group(1).replace(", ", "")


@pytest.fixture
def captcha_mode() -> str:
    return "auto"


@pytest.fixture
def settings(settings: Settings, captcha_mode: str) -> Settings:
    return settings.model_copy(
        update={"hotline_captcha": captcha_mode, "hotline_captcha_calls_per_minute": 3}
    )


@pytest.mark.parametrize("captcha_mode", ["always"])
def test_the_right_digits_lead_to_the_menu_and_wrong_ones_end_the_call(
    hook: Webhook, db: Session
) -> None:
    _, test = hook("incoming")
    gather = test.find("Gather")
    assert gather is not None and gather.get("numDigits") == "3"
    digits = heard(says(test))
    assert says(test)[0][1] == f"Para continuar, marque estos números: {', '.join(digits)}."
    _, skipped = hook("language", Digits="1")  # the menu is not reachable before the test
    assert says(skipped)[0][1] == "Esos no eran los números. Adiós."
    _, menu = hook("captcha", Digits=digits)
    assert says(menu)[0] == ("es-MX", "Para español, oprima 1.")
    wrong = "000" if digits != "000" else "111"
    other = "CA" + "1" * 32
    hook("incoming", sid=other, sender="+13235550199")
    _, goodbye = hook("captcha", sid=other, Digits=wrong)
    assert goodbye.find("Hangup") is not None and goodbye.find("Gather") is None
    db.rollback()
    status = db.scalars(select(HotlineCall.status).where(HotlineCall.call_sid == other)).one()
    assert status == CallStatus.ENDED


def test_a_flood_switches_the_captcha_on_by_itself(settings: Settings, hook: Webhook) -> None:
    threshold = settings.hotline_captcha_calls_per_minute
    for n in range(threshold - 1):
        _, menu = hook("incoming", sid=f"CA{n:032d}", sender=f"+1323555{n:04d}")
        assert says(menu)[0][1] == "Para español, oprima 1.", n
    _, test = hook("incoming", sid="CA" + "f" * 32, sender="+13105550100")
    assert "marque estos números" in says(test)[0][1]
