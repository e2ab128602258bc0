"""The shape of know-your-rights content: one YAML file per language, plus a coalition override.

Models forbid unknown keys, so a typo in a content or override file is an error that names the
field instead of a silently missing sentence.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Review(StrEnum):
    SOURCE = "source"  # the English original every translation follows
    REVIEWED = "reviewed"  # checked by a qualified translator
    UNREVIEWED = "unreviewed"  # shown with a visible notice, never presented as reviewed


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    name: str = Field(min_length=3)
    short: str = Field(min_length=2, max_length=12)  # the publisher, as printed on a card
    url: str = Field(pattern=r"^https://\S+$")


class Topic(Strict):
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    points: tuple[str, ...] = Field(min_length=1)
    card: str | None = None  # the topic's one line on the wallet card
    sources: tuple[str, ...] = Field(min_length=1)


class Labels(Strict):
    kit_title: str
    hotline: str
    subscribe: str
    rights_page: str
    sources: str
    topics: str
    languages: str
    legal_partners: str
    unreviewed: str
    fallback: str  # "{language}" is the name of the language asked for
    not_legal_advice: str


class Language(Strict):
    version: int = Field(ge=1)
    code: str
    name: str  # in the language itself
    direction: Literal["ltr", "rtl"] = "ltr"
    review: Review
    voice: str | None  # espeak-ng voice; None where espeak-ng has none for this language
    rate: int = Field(140, ge=80, le=260)  # espeak words per minute, tuned per voice to 20-30 s
    labels: Labels
    statement: str  # read or shown to an officer
    sms: str
    megaphone: str
    topics: dict[str, Topic]
    # Card topics deliberately not translated yet; they fall back to English with a notice.
    missing_topics: tuple[str, ...] = ()


class LegalPartner(Strict):
    name: str = Field(min_length=2)  # an organization, never a person
    phone: str | None = Field(None, pattern=r"^\+?[0-9 ()./-]{5,24}$")
    url: str | None = Field(None, pattern=r"^https?://\S+$")


class LanguageOverride(Strict):
    review: Review | None = None
    voice: str | None = None
    rate: int | None = Field(None, ge=80, le=260)
    statement: str | None = None
    sms: str | None = None
    megaphone: str | None = None
    topics: dict[str, Topic] = {}  # replaces a topic of that id, or adds a new one


class Overrides(Strict):
    """What a coalition configures without editing the package (VECINOS_RIGHTS_OVERRIDES)."""

    hotline: str | None = Field(None, pattern=r"^\+?[0-9 ()./-]{3,24}$")
    legal_partners: tuple[LegalPartner, ...] = ()
    sources: dict[str, Source] = {}
    languages: dict[str, LanguageOverride] = {}
