"""Alert texts: every kind in every language, both forms within their limits, the fallback
notice, the label, the scrubber; places by name, never coordinates."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from vecinos.alerts.models import AlertKind
from vecinos.alerts.texts import (
    FULL_MAX,
    SHORT_MAX,
    AlertFacts,
    PlaceUnknown,
    TextTooLong,
    render,
    render_all,
    templates,
)
from vecinos.config import Settings
from vecinos.geo.gazetteer import PublicPlace
from vecinos.scrubber import TextRefused, scan

AT = datetime(2026, 6, 1, 17, 5, tzinfo=UTC)  # 10:05 in Los Angeles
PLAZA = PublicPlace("Mariachi Plaza", "Boyle Heights", "90033", "Los Angeles")
FACTS = AlertFacts(AlertKind.CONFIRMED, "checkpoint", "ice", PLAZA, AT)


def test_english_has_every_kind_and_every_language_every_activity() -> None:
    data = templates()
    assert set(data["en"].kinds) == set(AlertKind) == set(data["es"].kinds)
    for words in data.values():
        for form in ("full", "short"):
            assert set(getattr(words.activities, form)) == set(data["en"].activities.full)


@pytest.mark.parametrize("kind", list(AlertKind))
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_kind_names_the_place_time_and_rights_in_both_forms(
    settings: Settings, kind: AlertKind, language: str
) -> None:
    facts = dataclasses.replace(FACTS, kind=kind)
    text = render(facts, language, settings=settings, now=AT)
    assert "Mariachi Plaza, Boyle Heights (90033)" in text.text and "10:05" in text.text
    assert "90033" in text.short and "10:05" in text.short
    assert len(text.text) <= FULL_MAX and len(text.short) <= SHORT_MAX
    assert scan(text.text) == [] and scan(text.short) == []
    assert text.expires_at == AT + timedelta(minutes=settings.alert_expiry_minutes)
    assert not text.fell_back and text.template_language == language
    assert text.link in text.text and text.link == f"https://vecinos.test/rights/{language}"
    rights = templates()[language].rights
    assert rights.full in text.text and rights.short in text.short


@pytest.mark.parametrize(("language", "label"), [("en", "UNCONFIRMED"), ("es", "SIN CONFIRMAR")])
def test_an_unconfirmed_notice_is_always_labelled(
    settings: Settings, language: str, label: str
) -> None:
    facts = dataclasses.replace(FACTS, kind=AlertKind.UNCONFIRMED)
    made = render(facts, language, settings=settings, now=AT)
    assert label in made.text and label in made.short


def test_the_agency_is_named_as_marked_and_left_out_when_unknown(settings: Settings) -> None:
    assert "(marked ICE)" in render(FACTS, "en", settings=settings, now=AT).text
    assert "identificados como ICE" in render(FACTS, "es", settings=settings, now=AT).text
    unknown = dataclasses.replace(FACTS, agency=None)
    assert "marked" not in render(unknown, "en", settings=settings, now=AT).text


def test_a_language_without_templates_falls_back_to_english_and_says_so(
    settings: Settings,
) -> None:
    german = render(FACTS, "de", settings=settings, now=AT)
    assert german.fell_back and german.template_language == "en"
    assert german.text.startswith("[Deutsch: English only for now]")
    assert german.short.startswith("[English] CONFIRMED")
    assert "CONFIRMED" in german.text and len(german.short) <= SHORT_MAX
    assert render(FACTS, "es-MX", settings=settings, now=AT).template_language == "es"
    assert not render(FACTS, "en-GB", settings=settings, now=AT).fell_back


def test_a_long_place_gives_way_to_a_shorter_name_of_it(settings: Settings) -> None:
    long = PublicPlace("Roosevelt High School Athletic Field", "Boyle Heights", "90033", "LA")
    made = render(dataclasses.replace(FACTS, place=long), "en", settings=settings, now=AT)
    assert "Roosevelt High School Athletic Field, Boyle Heights (90033)" in made.text
    assert len(made.short) <= SHORT_MAX and "90033" in made.short


def test_chosen_cross_streets_come_first_with_their_area(settings: Settings) -> None:
    facts = dataclasses.replace(FACTS, cross_streets="1st St & Soto St")
    made = render(facts, "es", settings=settings, now=AT)
    assert "cerca de 1st St & Soto St, Boyle Heights (90033)" in made.text


def test_a_place_without_a_name_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(PlaceUnknown) as refused:
        render(dataclasses.replace(FACTS, place=PublicPlace()), "en", settings=settings, now=AT)
    assert refused.value.code == "place_unknown"


def test_a_text_that_cannot_fit_is_a_clear_error(settings: Settings) -> None:
    wordy = settings.model_copy(update={"coalition_name": "Coalition " * 40})
    with pytest.raises(TextTooLong) as refused:
        render(FACTS, "en", settings=wordy, now=AT)
    assert refused.value.code == "alert_text_too_long" and "360" in refused.value.message
    assert refused.value.details["form"] == "full"


def test_chosen_cross_streets_that_identify_a_home_are_refused(settings: Settings) -> None:
    facts = dataclasses.replace(FACTS, cross_streets="1234 E 1st St")
    with pytest.raises(TextRefused) as refused:
        render(facts, "en", settings=settings, now=AT)
    assert refused.value.findings[0].kind == "address"


def test_render_all_gives_one_text_per_language(settings: Settings) -> None:
    texts = render_all(FACTS, {"en", "es", "de"}, settings=settings, now=AT)
    assert sorted(texts) == ["de", "en", "es"] and texts["de"].fell_back
