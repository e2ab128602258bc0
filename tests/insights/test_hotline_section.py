"""The hotline's part of the dashboards: every dashboard shows the coalition's one line, and a
caller's language is named, never shown as a code."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from vecinos.clock import FrozenClock
from vecinos.db import transaction
from vecinos.hotline.call_models import CallStatus, HotlineCall
from vecinos.insights.hotline import language_name


def test_languages_are_named_by_their_own_name_and_the_readers() -> None:
    assert language_name("es", "es") == "español"
    assert language_name("en", "es") == "English (inglés)"
    assert language_name("ko", "es") == "한국어 (coreano)"
    assert language_name("vi", "en") == "Tiếng Việt (Vietnamese)"
    assert language_name("zh-Hans", "en") == "简体中文 (Simplified Chinese)"
    assert language_name("none", "es") == "sin idioma elegido"
    assert language_name("none", "en") == "no language chosen"


def test_the_coalition_dashboard_counts_the_hotlines_calls(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    now = clock.now()
    with transaction(sessions) as db:
        for n, language in enumerate(["ru", "ru", "tl"]):
            begun = now - timedelta(hours=1, minutes=n)
            db.add(
                HotlineCall(
                    call_sid=f"CA{n:032d}",
                    language=language,
                    status=CallStatus.ANSWERED,
                    started_at=begun,
                    rung_at=begun,
                    answered_at=begun + timedelta(seconds=5),
                    ended_at=begun + timedelta(minutes=2),
                )
            )
        old = now - timedelta(days=40)  # outside the 28 days shown
        db.add(HotlineCall(call_sid="CAold", language="ko", status="ended", started_at=old))
    cast.sign_in(client, cast.ada)
    page = client.get("/coalition/insights", headers={"Accept-Language": "en"}).text
    section = page[page.index('id="hotline-title"') :]
    assert "<strong>3</strong> calls" in section
    assert "русский (Russian)" in section
    assert "Tagalog" in section
    assert "한국어" not in section
    assert "100%" in section
