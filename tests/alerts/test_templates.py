"""Alert templates in every language of the rights kit: each kind, both forms, within their
limits and SMS budgets, each carrying what, where, when and the rights reminder; English and
Spanish reviewed, the others marked; a missing kind falls back to English with a notice.

The SMS segments are counted here with the GSM 03.38 alphabet written out, independently of
`vecinos.alerts.segments` (which the composer's preview uses), and the two must agree.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from importlib import resources
from math import ceil
from pathlib import Path

import pytest
from pydantic import ValidationError

from vecinos.alerts import texts
from vecinos.alerts.models import AlertKind
from vecinos.alerts.segments import sms_segments
from vecinos.alerts.texts import FULL_MAX, SHORT_MAX, AlertFacts, load_templates, render
from vecinos.config import Settings
from vecinos.geo.gazetteer import PublicPlace
from vecinos.scrubber import scan

# GSM 03.38: the basic table (one septet each) and the extension table (two: escape + char).
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "^{}\\[~]|€\f"
RIGHTS_KIT = sorted(
    p.name.removesuffix(".yaml")
    for p in resources.files("vecinos.rights").joinpath("content").iterdir()
    if p.name.endswith(".yaml") and p.name != "sources.yaml"
)
# The worst case a deployment meets: a long coalition name and address, long place names, the
# longest activity and agency, a two-digit afternoon hour.
WORDY = Settings(
    secret_key="x" * 40,
    public_url="https://alertas.example-coalition.org",
    coalition_name="Eastside Rapid Response Network",
)
AT = datetime(2026, 6, 1, 19, 45, tzinfo=UTC)  # 12:45 in Los Angeles
LONG_PLACE = PublicPlace(
    "Roosevelt High School Athletic Field", "East Los Angeles Unincorporated", "90033", "LA"
)
AGENCIES = [None, "ice", "local_police", "unmarked"]


def segments(text: str) -> tuple[str, int]:
    """(encoding, segments), counted by hand: GSM-7 160/153 septets, else UCS-2 70/67."""
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text):
        septets = sum(2 if c in GSM_EXTENSION else 1 for c in text)
        return "GSM-7", 1 if septets <= 160 else ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return "UCS-2", 1 if units <= 70 else ceil(units / 67)


def test_every_language_of_the_rights_kit_has_alert_templates() -> None:
    assert sorted(texts.templates()) == RIGHTS_KIT
    reviews = {code: words.review for code, words in texts.templates().items()}
    assert reviews.pop("en") == reviews.pop("es") == "reviewed"
    assert set(reviews.values()) == {"unreviewed"}  # said so in the composer's preview


@pytest.mark.parametrize("language", RIGHTS_KIT)
@pytest.mark.parametrize("kind", list(AlertKind))
def test_each_kind_fits_both_forms_with_what_where_when_and_rights(
    language: str, kind: AlertKind
) -> None:
    words = texts.templates()[language]
    for activity, agency in itertools.product(words.activities.full, AGENCIES):
        facts = AlertFacts(kind, activity, agency, LONG_PLACE, AT)
        made = render(facts, language, settings=WORDY, now=AT)
        assert made.template_language == language and not made.fell_back
        assert len(made.text) <= FULL_MAX and len(made.short) <= SHORT_MAX
        time = texts.local_time(AT, WORDY, language)
        for form, text in (("full", made.text), ("short", made.short)):
            assert getattr(words.activities, form)[activity] in text, (form, text)  # what
            assert any(place in text for place in LONG_PLACE.forms()), (form, text)  # where
            assert time in text, (form, text)  # when
            assert getattr(words.rights, form) in text, (form, text)  # the reminder
            assert scan(text) == [], (form, text)
        assert made.link in made.text


@pytest.mark.parametrize("language", RIGHTS_KIT)
def test_segment_counts_hold_for_every_kind(language: str) -> None:
    """Full forms: at most 3 GSM-7 segments, or 6 in UCS-2. Short forms: one GSM-7 segment,
    or two in UCS-2. English goes as GSM-7 (no curly quote or narrow space slips in)."""
    words = texts.templates()[language]
    for kind, activity in itertools.product(AlertKind, words.activities.full):
        made = render(
            AlertFacts(kind, activity, "unmarked", LONG_PLACE, AT), language, settings=WORDY, now=AT
        )
        for text, budget in (
            (made.text, {"GSM-7": 3, "UCS-2": 6}),
            (made.short, {"GSM-7": 1, "UCS-2": 2}),
        ):
            encoding, count = segments(text)
            assert count <= budget[encoding], (language, kind, encoding, count, text)
            computed = sms_segments(text)
            assert (computed.encoding, computed.count) == (encoding, count)
            if language == "en":
                assert encoding == "GSM-7", text


def test_a_language_missing_a_kind_falls_back_to_english_with_its_own_notice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    everything = dict(texts.templates())
    korean = everything["ko"]
    kinds = {k: v for k, v in korean.kinds.items() if k is not AlertKind.ALL_CLEAR}
    everything["ko"] = korean.model_copy(update={"kinds": kinds})
    monkeypatch.setattr(texts, "templates", lambda: everything)
    made = render(
        AlertFacts(AlertKind.ALL_CLEAR, "checkpoint", None, LONG_PLACE, AT),
        "ko",
        settings=WORDY,
        now=AT,
    )
    assert made.fell_back and made.template_language == "en"
    assert made.text.startswith("[한국어: 현재 영어로만 제공] ") and "ALL CLEAR" in made.text
    assert made.short.startswith("[영어] ALL CLEAR") and len(made.short) <= SHORT_MAX
    still = render(
        AlertFacts(AlertKind.CONFIRMED, "checkpoint", None, LONG_PLACE, AT),
        "ko",
        settings=WORDY,
        now=AT,
    )
    assert not still.fell_back and still.review == "unreviewed"


def test_a_broken_template_folder_is_refused_at_load(tmp_path: Path) -> None:
    source = resources.files("vecinos.alerts").joinpath("templates", "texts")
    english = source.joinpath("en.yaml").read_text(encoding="utf-8")
    (tmp_path / "en.yaml").write_text(english.replace("  all_clear:\n", "  all_cleared:\n"))
    with pytest.raises(ValidationError):  # an unknown kind
        load_templates(tmp_path)
    without = english.split("  all_clear:\n")[0] + "rights:" + english.split("\nrights:", 1)[1]
    (tmp_path / "en.yaml").write_text(without)
    with pytest.raises(RuntimeError, match="lack"):  # English must have every kind
        load_templates(tmp_path)
    (tmp_path / "en.yaml").write_text(english)
    (tmp_path / "xx.yaml").write_text("code: xx\nname: X\nreview: maybe\n")
    with pytest.raises(ValidationError):
        load_templates(tmp_path)
