"""The rights kit as a deployment shows it: content + overrides + links, and language fallback.

Fallback rule (documented in docs/rights.md): a language code we have no material for, but which
is a real language, gets the English material with a notice saying so; a topic a language has not
translated yet is shown in English with a notice in that language; a code that is not a language
at all is an `UnknownLanguage` error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from vecinos.config import Settings
from vecinos.rights.content import (
    CARD_TOPICS,
    SOURCE_LANGUAGE,
    TOPICS,
    check_references,
    merge,
    read_overrides,
)
from vecinos.rights.errors import UnknownLanguage, UnknownTopic
from vecinos.rights.models import Language, LegalPartner, Review, Source, Topic

# The alerts domain serves its subscription form here.
SUBSCRIBE_PATH = "/subscribe"
RIGHTS_PATH = "/rights"
ALIASES = {
    "zh": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "fil": "tl",
}


@dataclass(frozen=True)
class TopicView:
    id: str
    topic: Topic
    lang: str  # the language the topic's text is in
    direction: str
    notice: str | None  # set when the text is a fallback


@dataclass(frozen=True)
class Edition:
    """One language's material: labels in that language, plus the notices a reader must see."""

    requested: str
    language: Language
    english: Language
    notices: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        return self.language.code

    @property
    def reviewed(self) -> bool:
        return self.language.review != Review.UNREVIEWED

    def topic_ids(self) -> list[str]:
        extra = [t for t in self.language.topics if t not in TOPICS]
        return [*TOPICS, *extra]

    def topic(self, topic_id: str) -> TopicView:
        own = self.language.topics.get(topic_id)
        if own is not None:
            return TopicView(topic_id, own, self.code, self.language.direction, None)
        english = self.english.topics.get(topic_id)
        if english is None:
            raise UnknownTopic(topic_id, self.topic_ids())
        notice = self.language.labels.fallback.format(language=self.language.name)
        return TopicView(topic_id, english, SOURCE_LANGUAGE, "ltr", notice)

    def card_topics(self) -> list[TopicView]:
        return [self.topic(topic_id) for topic_id in CARD_TOPICS]


@dataclass(frozen=True)
class RightsKit:
    languages: dict[str, Language]
    sources: dict[str, Source]
    public_url: str
    coalition_name: str
    hotline: str | None = None
    legal_partners: tuple[LegalPartner, ...] = field(default=())

    def resolve(self, code: str) -> str | None:
        """The packaged language code for `code` (any case, `_` or `-`, common aliases)."""
        wanted = code.strip().replace("_", "-").lower()
        by_lower = {known.lower(): known for known in self.languages}
        for candidate in (wanted, ALIASES.get(wanted), wanted.split("-")[0]):
            if candidate and candidate.lower() in by_lower:
                return by_lower[candidate.lower()]
        return None

    def edition(self, code: str) -> Edition:
        english = self.languages[SOURCE_LANGUAGE]
        resolved = self.resolve(code)
        if resolved is None:
            name = display_name(code)
            if name is None:
                raise UnknownLanguage(code, list(self.languages))
            notice = english.labels.fallback.format(language=name)
            return Edition(code, english, english, (notice,))
        language = self.languages[resolved]
        notices = (language.labels.unreviewed,) if language.review == Review.UNREVIEWED else ()
        return Edition(resolved, language, english, notices)

    def page_url(self, code: str, topic: str | None = None) -> str:
        path = f"{RIGHTS_PATH}/{code}" + (f"/{topic}" if topic else "")
        return self.public_url.rstrip("/") + path

    def subscribe_url(self, code: str) -> str:
        return f"{self.public_url.rstrip('/')}{SUBSCRIBE_PATH}?lang={code}"


def display_name(code: str) -> str | None:
    """The English name of a language code, or None when it is not a language at all."""
    try:
        locale = Locale.parse(code.strip().replace("-", "_"))
    except (ValueError, UnknownLocaleError, TypeError):
        return None
    return locale.get_display_name("en")


def load_kit(settings: Settings) -> RightsKit:
    """The kit for these settings; override files are re-read when they change on disk."""
    path = settings.rights_overrides
    stamp = _stamp(path) if path else ()
    return _load(path, stamp, settings.public_url, settings.coalition_name)


def _stamp(path: Path) -> tuple[tuple[str, int], ...]:
    if not path.exists():
        return ()
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return tuple((str(f), f.stat().st_mtime_ns) for f in files)


@lru_cache(maxsize=8)
def _load(
    path: Path | None, stamp: tuple[tuple[str, int], ...], public_url: str, coalition: str
) -> RightsKit:
    overrides = read_overrides(path) if path else []
    languages, sources, hotline, partners = merge(overrides)
    if not overrides:
        check_references("content", languages, sources)
    return RightsKit(languages, sources, public_url, coalition, hotline, partners)
