"""Alert texts: per kind and language, from the data file `templates/alerts.yaml`.

`render` fills a template from an incident-like record (what, coarse place, time), adds the
one-line rights reminder and the link to the rights page, passes the result through the
scrubber and stamps an expiry. A language without templates gets English, marked as such in
the reader's own language name. Nothing here writes or sends: the publishing and fan-out code
takes these texts (`AlertText`) into the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_time

from vecinos import scrubber
from vecinos.alerts.models import AlertKind
from vecinos.config import Settings
from vecinos.rights.kit import RIGHTS_PATH

FALLBACK = "en"
UNCONFIRMED_MARKERS = {"en": "UNCONFIRMED", "es": "SIN CONFIRMAR"}


class IncidentLike(Protocol):
    """What texts need of an incident: nothing exact, nothing about a person."""

    activity: str
    cross_streets: str | None
    public_lat: float
    public_lon: float
    last_seen_at: datetime


@dataclass(frozen=True)
class AlertFacts:
    kind: AlertKind
    activity: str
    place: str  # cross streets or a coarse area: never an address
    at: datetime


@dataclass(frozen=True)
class AlertText:
    kind: AlertKind
    language: str  # the language asked for
    template_language: str  # the language the text is in ("en" when it fell back)
    subject: str
    text: str
    link: str
    expires_at: datetime

    @property
    def fell_back(self) -> bool:
        return self.template_language != self.language.split("-")[0]


@cache
def templates() -> dict[str, dict[str, Any]]:
    source = resources.files("vecinos.alerts").joinpath("templates", "alerts.yaml")
    loaded: dict[str, dict[str, Any]] = yaml.safe_load(source.read_text(encoding="utf-8"))
    return loaded


def template_language(language: str) -> str:
    base = language.split("-")[0].lower()
    return base if base in templates() else FALLBACK


def facts_of(incident: IncidentLike, kind: AlertKind) -> AlertFacts:
    """The public facts: the coarse public place, never the exact first report's position."""
    place = incident.cross_streets or f"{incident.public_lat:.2f}, {incident.public_lon:.2f}"
    return AlertFacts(kind, incident.activity, place, incident.last_seen_at)


def rights_link(settings: Settings, language: str) -> str:
    """The rights page in the reader's language when the rights material has it (it covers
    more languages than alert templates), else in the language of the text."""
    return f"{settings.public_url.rstrip('/')}{RIGHTS_PATH}/{rights_language(language)}"


@cache
def rights_language(language: str) -> str:
    content = resources.files("vecinos.rights").joinpath("content")
    for candidate in (language, language.split("-")[0]):
        if content.joinpath(f"{candidate}.yaml").is_file():
            return candidate
    return template_language(language)


def expiry(now: datetime, settings: Settings) -> datetime:
    return now + timedelta(minutes=settings.alert_expiry_minutes)


def render(facts: AlertFacts, language: str, *, settings: Settings, now: datetime) -> AlertText:
    """The alert in `language` (or English, marked), scrubbed; raises `TextRefused`."""
    code = template_language(language)
    words = templates()[code]
    fields = {
        "coalition": settings.coalition_name,
        "what": words["activities"].get(facts.activity, words["activities"]["other"]),
        "place": facts.place,
        "time": _local_time(facts.at, settings, code),
        "rights": words["rights"],
        "link": rights_link(settings, language),
    }
    text = words["kinds"][facts.kind.value].format(**fields)
    subject = words["subjects"][facts.kind.value].format(**fields)
    if code != language.split("-")[0].lower():
        text = f"{words['fallback'].format(language=native_name(language))} {text}"
    return AlertText(
        kind=facts.kind,
        language=language,
        template_language=code,
        subject=scrubber.check(subject),
        text=scrubber.check(text),
        link=str(fields["link"]),
        expires_at=expiry(now, settings),
    )


def render_all(
    facts: AlertFacts, languages: set[str], *, settings: Settings, now: datetime
) -> dict[str, AlertText]:
    """One text per subscriber language, for the preview and for the outbox."""
    return {lang: render(facts, lang, settings=settings, now=now) for lang in sorted(languages)}


def native_name(language: str) -> str:
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return language
    return locale.get_display_name(locale) or language


def _local_time(moment: datetime, settings: Settings, language: str) -> str:
    local = moment.astimezone(ZoneInfo(settings.alert_timezone))
    return format_time(local, format="short", locale=language)
