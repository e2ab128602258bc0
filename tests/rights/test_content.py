"""The content set: every language carries its card topics (or says it does not), review status
is honest, every topic cites a known public source, and nothing invites physical interference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import vecinos.rights
from vecinos.rights.content import (
    CARD_TOPICS,
    FULL_LANGUAGES,
    LANGUAGES,
    TOPICS,
    coverage_problems,
    packaged_languages,
)
from vecinos.rights.kit import RightsKit
from vecinos.rights.models import Review

PACKAGE = Path(vecinos.rights.__file__).parent

# Phrasings that would plan or encourage physical interference, in several languages. Our
# content speaks of distance, recording and rights; these must never appear in it.
FORBIDDEN = [
    r"\bblock(ade|ing)? (the|their|agents?|officers?|vans?|cars?|door)",
    r"\bsurround\b",
    r"human chain",
    r"link arms",
    r"\bstop (the|them|agents?|the arrest)",
    r"prevent (the|an) arrest",
    r"\bconfront\b",
    r"\bfollow (the|them) (agents?|officers?|vans?)",
    r"\btires?\b",
    r"bloque(e|en|ar) ",
    r"\brode(e|en|ar)\b",
    r"cadena humana",
    r"impid(a|an) (el|la|que)",
    r"enfr[eé]nte(se|nse)",
    "阻挡",
    "阻擋",
    "包围",
    "包圍",
    "人链",
    "人鏈",
    "둘러싸",
    "막아",
    "harangan",
    "palibutan",
    "chặn xe",
    "bao vây",
    "շրջապատեք",
    "արգելափակեք",
    "محاصره",
    "مسدود کنید",
    "блокируйте",
    "окружите",
    "помешайте",
]
# No immigration-status questions anywhere (the design's hard rule).
STATUS_QUESTIONS = [
    r"what is your (immigration )?status",
    r"are you (undocumented|a citizen)",
    r"cu[aá]l es su (estatus|estado migratorio)",
]


def material_files() -> list[Path]:
    return sorted((PACKAGE / "content").glob("*.yaml")) + sorted(
        (PACKAGE / "templates").rglob("*.html")
    )


def offending(text: str) -> list[str]:
    lowered = text.lower()
    return [p for p in FORBIDDEN + STATUS_QUESTIONS if re.search(p, lowered)]


def test_the_checker_catches_interference() -> None:
    assert offending("Surround the van and block the agents!")
    assert offending("Formen una cadena humana y rodeen el carro.")
    assert offending("Окружите машину.")
    assert not offending("Keep a safe distance. Do not interfere.")


def test_no_content_or_template_invites_physical_interference() -> None:
    files = material_files()
    assert len(files) >= 15  # ten languages, sources and the templates
    found = {f.name: offending(f.read_text(encoding="utf-8")) for f in files}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_every_packaged_language_carries_the_card_topics() -> None:
    languages = packaged_languages()
    assert list(languages) == list(LANGUAGES)
    assert coverage_problems(languages) == []
    for language in languages.values():
        for topic in CARD_TOPICS:
            assert language.topics[topic].card, (language.code, topic)


def test_english_and_spanish_are_complete() -> None:
    for code in FULL_LANGUAGES:
        assert set(TOPICS) <= set(packaged_languages()[code].topics)


def test_a_language_missing_a_card_topic_silently_is_reported() -> None:
    languages = dict(packaged_languages())
    korean = languages["ko"]
    topics = {k: v for k, v in korean.topics.items() if k != "witnesses"}
    languages["ko"] = korean.model_copy(update={"topics": topics})
    assert coverage_problems(languages) == [
        "ko: card topic 'witnesses' is missing and not declared"
    ]
    declared = korean.model_copy(update={"topics": topics, "missing_topics": ("witnesses",)})
    assert coverage_problems({**languages, "ko": declared}) == []


def test_spanish_missing_a_topic_is_reported() -> None:
    languages = dict(packaged_languages())
    spanish = languages["es"]
    topics = {k: v for k, v in spanish.topics.items() if k != "family-plan"}
    languages["es"] = spanish.model_copy(update={"topics": topics})
    assert coverage_problems(languages) == ["es: topic 'family-plan' is missing"]


def test_review_status_is_honest() -> None:
    languages = packaged_languages()
    assert languages["en"].review == Review.SOURCE
    # Nobody qualified has reviewed these yet; a coalition marks them reviewed via overrides.
    assert {language.review for code, language in languages.items() if code != "en"} == {
        Review.UNREVIEWED
    }


def test_every_topic_cites_known_public_sources(kit: RightsKit) -> None:
    for language in kit.languages.values():
        for topic in language.topics.values():
            assert topic.sources
            for source in topic.sources:
                assert kit.sources[source].url.startswith("https://www.")
    publishers = {source.short for source in kit.sources.values()}
    assert publishers == {"ILRC", "ACLU", "NILC"}


@pytest.mark.parametrize("code", ["es", "ko", "fa"])
def test_unreviewed_languages_carry_a_notice(kit: RightsKit, code: str) -> None:
    edition = kit.edition(code)
    assert not edition.reviewed
    assert edition.notices == (edition.language.labels.unreviewed,)
    assert kit.edition("en").notices == ()
