"""Load the packaged content set and apply the coalition's overrides to it.

The package ships `content/<language>.yaml` and `content/sources.yaml`. A coalition points
`VECINOS_RIGHTS_OVERRIDES` at one YAML file or a directory of them (read in name order) to set
its hotline and legal partners, add sources and topics, or replace texts, without editing the
package. Any broken file stops loading with an error naming the file and the field.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from vecinos.rights.errors import RightsContentError
from vecinos.rights.models import (
    Language,
    LanguageOverride,
    LegalPartner,
    Overrides,
    Review,
    Source,
    Topic,
)

SOURCE_LANGUAGE = "en"
# Every topic; English and Spanish carry all of them.
TOPICS = (
    "at-home",
    "on-the-street",
    "at-work",
    "in-a-car",
    "if-detained",
    "witnesses",
    "family-plan",
)
FULL_LANGUAGES = ("en", "es")
# The topics printed on the wallet card; every language carries these or says it does not.
CARD_TOPICS = ("at-home", "if-detained", "witnesses")
# Display order of the packaged languages.
LANGUAGES = ("en", "es", "zh-Hans", "zh-Hant", "ko", "tl", "vi", "hy", "fa", "ru")

Model = TypeVar("Model", bound=BaseModel)


def _content_dir() -> Traversable:
    return resources.files(__package__).joinpath("content")


def _read_yaml(text: str, file: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RightsContentError(file, "(whole file)", f"not valid YAML: {exc}") from exc


def _validate(model: type[Model], data: Any, file: str) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(whole file)"
        raise RightsContentError(file, field, first["msg"]) from exc


@cache
def packaged_sources() -> dict[str, Source]:
    text = _content_dir().joinpath("sources.yaml").read_text(encoding="utf-8")
    raw = _read_yaml(text, "sources.yaml")
    return {key: _validate(Source, value, f"sources.yaml ({key})") for key, value in raw.items()}


@cache
def packaged_languages() -> dict[str, Language]:
    languages: dict[str, Language] = {}
    for code in LANGUAGES:
        file = f"{code}.yaml"
        text = _content_dir().joinpath(file).read_text(encoding="utf-8")
        language = _validate(Language, _read_yaml(text, file), file)
        if language.code != code:
            raise RightsContentError(file, "code", f"says {language.code!r}, expected {code!r}")
        languages[code] = language
    return languages


def read_overrides(path: Path) -> list[tuple[str, Overrides]]:
    """The override files at `path` (a file, or a directory of *.yaml), each validated."""
    if not path.exists():
        raise RightsContentError(str(path), "(path)", "does not exist")
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    found: list[tuple[str, Overrides]] = []
    for file in files:
        data = _read_yaml(file.read_text(encoding="utf-8"), str(file)) or {}
        found.append((str(file), _validate(Overrides, data, str(file))))
    return found


def apply_override(language: Language, change: LanguageOverride) -> Language:
    """The language with the override's fields replaced and its topics replaced or added."""
    updates: dict[str, Any] = {
        name: value
        for name in ("review", "voice", "rate", "statement", "sms", "megaphone")
        if (value := getattr(change, name)) is not None
    }
    topics: dict[str, Topic] = {**language.topics, **change.topics}
    return language.model_copy(update={**updates, "topics": topics})


def check_references(file: str, languages: dict[str, Language], sources: dict[str, Source]) -> None:
    """Every cited source exists; only English is the source text; card topics have a line."""
    for code, language in languages.items():
        if (language.review == Review.SOURCE) != (code == SOURCE_LANGUAGE):
            raise RightsContentError(
                file, f"languages.{code}.review", "only English is 'source'; use 'reviewed'"
            )
        for topic_id, topic in language.topics.items():
            for source in topic.sources:
                if source not in sources:
                    raise RightsContentError(
                        file,
                        f"languages.{code}.topics.{topic_id}.sources",
                        f"unknown source {source!r}; known: {', '.join(sorted(sources))}",
                    )
            if topic_id in CARD_TOPICS and not topic.card:
                raise RightsContentError(
                    file, f"languages.{code}.topics.{topic_id}.card", "a card topic needs a line"
                )


def merge(
    overrides: list[tuple[str, Overrides]],
) -> tuple[dict[str, Language], dict[str, Source], str | None, tuple[LegalPartner, ...]]:
    """Packaged content with every override applied in order; later files win."""
    languages = dict(packaged_languages())
    sources = dict(packaged_sources())
    hotline: str | None = None
    partners: tuple[LegalPartner, ...] = ()
    for file, override in overrides:
        sources.update(override.sources)
        hotline = override.hotline or hotline
        partners += override.legal_partners
        for code, change in override.languages.items():
            if code not in languages:
                known = ", ".join(languages)
                raise RightsContentError(
                    file, f"languages.{code}", f"unknown language; known: {known}"
                )
            languages[code] = apply_override(languages[code], change)
        check_references(file, languages, sources)
    return languages, sources, hotline, partners


def coverage_problems(languages: dict[str, Language]) -> list[str]:
    """Gaps a language does not declare: a card topic neither written nor in missing_topics,
    a topic missing from a complete language, or a language file missing altogether."""
    problems = [f"{code}: no content file" for code in LANGUAGES if code not in languages]
    for code, language in languages.items():
        for topic in CARD_TOPICS:
            if topic not in language.topics and topic not in language.missing_topics:
                problems.append(f"{code}: card topic {topic!r} is missing and not declared")
        for topic in language.missing_topics:
            if topic in language.topics:
                problems.append(f"{code}: {topic!r} is declared missing but is present")
        if code in FULL_LANGUAGES:
            problems += [
                f"{code}: topic {t!r} is missing" for t in TOPICS if t not in language.topics
            ]
    return problems
