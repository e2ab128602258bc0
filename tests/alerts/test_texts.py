"""Alert texts: every kind in English and Spanish, the fallback note, the label, the scrubber."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from vecinos.alerts.models import AlertKind
from vecinos.alerts.texts import AlertFacts, facts_of, render, render_all, templates
from vecinos.config import Settings
from vecinos.scrubber import TextRefused, scan

AT = datetime(2026, 6, 1, 17, 5, tzinfo=UTC)  # 10:05 in Los Angeles
FACTS = AlertFacts(AlertKind.CONFIRMED, "checkpoint", "Cesar Chavez Ave & Soto St", AT)


@dataclass
class FakeIncident:
    activity: str = "agents_on_foot"
    cross_streets: str | None = None
    public_lat: float = 34.03391
    public_lon: float = -118.21058
    last_seen_at: datetime = AT
    lat: float = 34.0339412  # exact: must never reach a text


def test_english_and_spanish_have_every_kind_and_activity() -> None:
    data = templates()
    for language in ("en", "es"):
        assert set(data[language]["kinds"]) == {k.value for k in AlertKind}
        assert set(data[language]["subjects"]) == {k.value for k in AlertKind}
        assert set(data[language]["activities"]) == set(data["en"]["activities"])


@pytest.mark.parametrize("kind", list(AlertKind))
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_kind_renders_scrubbed_with_place_time_and_expiry(
    settings: Settings, kind: AlertKind, language: str
) -> None:
    facts = AlertFacts(kind, "checkpoint", "Cesar Chavez Ave & Soto St", AT)
    text = render(facts, language, settings=settings, now=AT)
    assert "Cesar Chavez Ave & Soto St" in text.text and "10:05" in text.text
    assert scan(text.text) == [] and scan(text.subject) == []
    assert text.expires_at == AT + timedelta(minutes=settings.alert_expiry_minutes)
    assert not text.fell_back and text.template_language == language
    if kind in (AlertKind.CONFIRMED, AlertKind.UPDATE):
        assert text.link in text.text and text.link == f"https://vecinos.test/rights/{language}"
        assert ("judge" if language == "en" else "juez") in text.text


@pytest.mark.parametrize(("language", "label"), [("en", "UNCONFIRMED"), ("es", "SIN CONFIRMAR")])
def test_an_unconfirmed_notice_is_always_labelled(
    settings: Settings, language: str, label: str
) -> None:
    facts = AlertFacts(AlertKind.UNCONFIRMED, "door_knocking", "Whittier Blvd & Atlantic Blvd", AT)
    assert label in render(facts, language, settings=settings, now=AT).text


def test_other_languages_fall_back_to_english_and_say_so(settings: Settings) -> None:
    korean = render(FACTS, "ko", settings=settings, now=AT)
    assert korean.fell_back and korean.template_language == "en"
    assert korean.text.startswith("[한국어: English only for now]") and "CONFIRMED" in korean.text
    assert korean.link == "https://vecinos.test/rights/ko"  # the rights material exists in Korean
    assert render(FACTS, "es-MX", settings=settings, now=AT).template_language == "es"


def test_the_public_place_is_coarse_never_the_exact_position(settings: Settings) -> None:
    facts = facts_of(FakeIncident(), AlertKind.CONFIRMED)
    text = render(facts, "en", settings=settings, now=AT).text
    assert "34.03, -118.21" in text and "34.0339" not in text
    crossed = facts_of(FakeIncident(cross_streets="Soto St & 1st St"), AlertKind.CONFIRMED)
    assert crossed.place == "Soto St & 1st St"


def test_a_place_that_identifies_a_home_is_refused(settings: Settings) -> None:
    facts = AlertFacts(AlertKind.CONFIRMED, "door_knocking", "1234 E 1st St", AT)
    with pytest.raises(TextRefused) as refused:
        render(facts, "en", settings=settings, now=AT)
    assert refused.value.findings[0].kind == "address"


def test_render_all_gives_one_text_per_language(settings: Settings) -> None:
    texts = render_all(FACTS, {"en", "es", "vi"}, settings=settings, now=AT)
    assert sorted(texts) == ["en", "es", "vi"] and texts["vi"].fell_back
