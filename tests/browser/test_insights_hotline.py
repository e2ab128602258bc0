"""The hotline's figures on the insights page, as a coordinator reads them in Spanish on a phone
and at a desk: how many calls, how fast they were answered against NENA's standard, abandoned
calls, messages, and the callers' languages by name."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.browser.test_coverage_plan import WIDE
from tests.cast import Cast
from vecinos.clock import FrozenClock
from vecinos.db import transaction
from vecinos.hotline.call_models import CallStatus, HotlineCall

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def seed_calls(sessions: sessionmaker[Session], clock: FrozenClock) -> None:
    """Six calls two hours ago: two answered (in 10 s and in 18 s), one abandoned while
    ringing (Korean), one message (Vietnamese), one to hear the rights (English), and one
    that hung up before choosing a language; and one answered in 5 s the day before."""
    now = clock.now()
    start = now - timedelta(hours=2)
    plans: list[tuple[str | None, int | None, str]] = [
        ("es", 10, "answered"),
        ("es", 18, "answered"),
        ("ko", None, "abandoned"),
        ("vi", None, "message"),
        ("en", None, "rights"),
        (None, None, "menu"),
        ("es", 5, "answered"),  # the day before, at the same local hour
    ]
    with transaction(sessions) as db:
        for n, (language, wait, fate) in enumerate(plans):
            begun = start + timedelta(minutes=n) - timedelta(days=n // 6)
            rung = (
                begun + timedelta(seconds=20)
                if fate in ("answered", "abandoned", "message")
                else None
            )
            call = HotlineCall(
                call_sid=f"CA{n:032d}",
                language=language,
                status=CallStatus.ENDED,
                started_at=begun,
                rung_at=rung,
                ended_at=begun + timedelta(minutes=3),
            )
            if wait is not None and rung is not None:
                call.answered_at, call.status = rung + timedelta(seconds=wait), CallStatus.ANSWERED
            if fate == "message":
                call.recording_sid, call.status = f"RE{n:032d}", CallStatus.MESSAGE
            db.add(call)


@pytest.mark.parametrize("width", [390, 1366])
def test_a_coordinator_reads_how_the_hotline_answered(
    browser: Browser,
    live_server: LiveServer,
    sessions: sessionmaker[Session],
    cast: Cast,
    clock: FrozenClock,
    width: int,
) -> None:
    seed_calls(sessions, clock)
    page = spanish(browser, "phone" if width < WIDE else "desk").new_page()
    target = f"/organizations/{cast.eastside}/insights"
    sign_in(page, live_server, cast, cast.elena, target)

    section = page.locator("section.hotline-figures")
    expect(section.get_by_role("heading", name="Línea de ayuda", exact=True)).to_be_visible()
    summary = section.locator(".figures-summary")
    expect(summary).to_contain_text(re.compile(r"7\s+llamadas"))
    expect(summary).to_contain_text(re.compile(r"3\s+atendidas por un voluntario"))
    expect(summary).to_contain_text(re.compile(r"1\s+abandonadas mientras sonaban"))
    expect(summary).to_contain_text(re.compile(r"1\s+mensajes dejados"))

    # Five calls rang volunteers: two answered within 15 s (40 %), three within 20 s (60 %).
    speed = section.get_by_role("table").filter(has_text="Contestadas en")
    fifteen = speed.get_by_role("row").filter(has_text="15 segundos")
    expect(fifteen).to_contain_text(re.compile(r"40\s?%"))
    expect(fifteen).to_contain_text(re.compile(r"90\s?%"))
    expect(fifteen.get_by_role("cell").last).to_have_text("no")
    twenty = speed.get_by_role("row").filter(has_text="20 segundos")
    expect(twenty).to_contain_text(re.compile(r"60\s?%"))
    expect(twenty).to_contain_text(re.compile(r"95\s?%"))

    languages = section.locator("table.hotline-languages")
    expect(languages.get_by_role("row").filter(has_text="español")).to_contain_text("3")
    expect(languages).to_contain_text("한국어 (coreano)")
    expect(languages).to_contain_text("Tiếng Việt (vietnamita)")
    expect(languages).to_contain_text("English (inglés)")
    expect(languages).to_contain_text("sin idioma elegido")
    names = languages.locator("tbody th").all_inner_texts()
    assert not {"es", "en", "ko", "vi", "none"} & {name.strip() for name in names}

    # Two hours before 10:00 in Los Angeles: the 08:00 local hour, all six calls in it; a
    # call the day before at the same hour counts in the same row.
    hours = section.locator("table.hotline-hours")
    row = hours.get_by_role("row").filter(has_text="08:00")
    expect(row.get_by_role("cell")).to_have_text(["7", "3", "1"])
    expect(hours.locator("tbody tr")).to_have_count(1)

    no_overflow(page)
    # Every table fits the screen whole: nobody has to scroll sideways to read a column.
    cramped = section.locator(".table-scroll").evaluate_all(
        "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth).length"
    )
    assert cramped == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(SHOTS / f"insights-hotline-es-{width}.png"))
    page.screenshot(path=str(SHOTS / f"insights-hotline-page-es-{width}.png"), full_page=True)
    page.context.close()
