"""Alert texts: per kind and language, from the data files in `templates/texts/<code>.yaml`.

Every text is built from structured facts (the activity, the agency as marked, the time) and a
place from the gazetteer, never from anything a member of the public typed. Cross streets enter
only when a dispatcher chose them in the composer (`AlertFacts.cross_streets`).

Each kind has a full form (at most `FULL_MAX` characters, the WEA limit; SMS, e-mail, pages)
and a short form (at most `SHORT_MAX`; push titles, e-mail subjects, SMS where set short),
both carrying what, where, when and the one-line rights reminder. A text takes the most
specific way of saying the place that fits its limit. A language without a template for a kind
gets English, marked as such in the reader's own language. Everything passes the scrubber.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Literal
from zoneinfo import ZoneInfo

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_time
from pydantic import BaseModel, ConfigDict

from vecinos import scrubber
from vecinos.alerts.models import AlertKind
from vecinos.config import Settings
from vecinos.errors import InvalidInput
from vecinos.geo.gazetteer import PublicPlace
from vecinos.i18n import N_
from vecinos.rights.kit import ALIASES, RIGHTS_PATH

FALLBACK = "en"
FULL_MAX = 360  # Wireless Emergency Alerts' limit: a text that fits there fits everywhere
SHORT_MAX = 90  # WEA's first limit; push titles and subjects are cut near it anyway
Form = Literal["full", "short"]
LIMITS: dict[str, int] = {"full": FULL_MAX, "short": SHORT_MAX}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KindTexts(_Strict):
    full: str
    short: str


class Pair(_Strict):
    full: dict[str, str]
    short: dict[str, str]


class Rights(_Strict):
    full: str
    short: str


class LanguageTexts(_Strict):
    """One language's file. Only English must have every kind; others fall back per kind."""

    code: str
    name: str
    review: Literal["reviewed", "unreviewed"]
    unconfirmed_marker: str
    fallback: str  # before a full text in English: "[{language}: English only for now]"
    fallback_short: str  # before a short one, where room is scarce: "[English]"
    kinds: dict[AlertKind, KindTexts]
    rights: Rights
    agency: str
    agencies: dict[str, str]
    activities: Pair


@dataclass(frozen=True)
class AlertFacts:
    """What a public text may say: structured fields and a named place, nothing typed."""

    kind: AlertKind
    activity: str
    agency: str | None  # as marked on uniforms or vehicles, when the reports agree
    place: PublicPlace
    at: datetime
    cross_streets: str | None = None  # only a dispatcher's explicit, scrubbed choice

    def place_forms(self) -> list[str]:
        """Ways to say the place, most specific first: the chosen cross streets (with the
        area around them) before the gazetteer's own names."""
        forms = self.place.forms()
        if self.cross_streets:
            zip_part = f" ({self.place.zip_code})" if self.place.zip_code else ""
            area = f", {self.place.area}" if self.place.area else ""
            streets = self.cross_streets
            forms = [f"{streets}{area}{zip_part}", f"{streets}{zip_part}", streets, *forms]
        return list(dict.fromkeys(forms))


@dataclass(frozen=True)
class AlertText:
    kind: AlertKind
    language: str  # the language asked for
    template_language: str  # the language the text is in ("en" when it fell back)
    review: str  # of the template used: "reviewed" or "unreviewed"
    text: str  # the full form
    short: str  # the short form
    link: str
    expires_at: datetime

    @property
    def fell_back(self) -> bool:
        return self.template_language == FALLBACK and not reads_english(self.language)

    @property
    def subject(self) -> str:
        return self.short


class TextTooLong(InvalidInput):
    code = "alert_text_too_long"


class PlaceUnknown(InvalidInput):
    code = "place_unknown"


@cache
def templates() -> dict[str, LanguageTexts]:
    return load_templates(resources.files("vecinos.alerts").joinpath("templates", "texts"))


def load_templates(folder: Traversable) -> dict[str, LanguageTexts]:
    """Every `<code>.yaml` in `folder`, checked: a file that does not read as templates, or an
    English one that lacks a kind (every language falls back to it), stops the start."""
    found = {}
    for item in folder.iterdir():
        if item.name.endswith(".yaml"):
            parsed = LanguageTexts.model_validate(yaml.safe_load(item.read_text(encoding="utf-8")))
            found[parsed.code] = parsed
    english = found.get(FALLBACK)
    missing = set(AlertKind) - set(english.kinds if english else ())
    if missing:
        raise RuntimeError(f"English alert templates lack {sorted(missing)}")
    return found


def template_language(language: str) -> str:
    """The templates' code for a subscriber's tag: `es-MX` → es, `zh-TW` → zh-Hant, else en."""
    known = {code.lower(): code for code in templates()}
    wanted = language.lower()
    for candidate in (wanted, ALIASES.get(wanted, ""), wanted.split("-")[0]):
        if candidate.lower() in known:
            return known[candidate.lower()]
    return FALLBACK


def reads_english(language: str) -> bool:
    return language.split("-")[0].lower() == FALLBACK


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
    """The alert in `language` (or English, marked), both forms, scrubbed.

    Raises `PlaceUnknown` when the place has no name, `TextTooLong` when not even the
    shortest way of saying the place fits, `scrubber.TextRefused` when a name does not pass.
    """
    forms = facts.place_forms()
    if not forms:
        raise PlaceUnknown(
            N_("The gazetteer has no name for this place; add a zone or landmark there."),
        )
    own = templates()[template_language(language)]
    words = own if facts.kind in own.kinds else templates()[FALLBACK]
    fell_back = words.code == FALLBACK and not reads_english(language)
    notice = _notice(own, language) if fell_back else ""
    short_notice = f"{own.fallback_short} " if fell_back else ""
    link = rights_link(settings, language)
    fields = {
        "coalition": settings.coalition_name,
        "agency": _agency(words, facts.agency),
        "time": local_time(facts.at, settings, words.code),
        "link": link,
    }
    full = _fit(words, facts.kind, "full", notice, forms, fields, facts.activity)
    short = _fit(words, facts.kind, "short", short_notice, forms, fields, facts.activity)
    return AlertText(
        kind=facts.kind,
        language=language,
        template_language=words.code,
        review=words.review,
        text=scrubber.check(full),
        short=scrubber.check(short),
        link=link,
        expires_at=expiry(now, settings),
    )


def _notice(own: LanguageTexts, language: str) -> str:
    """ "[한국어: English only for now]", in the reader's words when their file has them."""
    return own.fallback.format(language=native_name(language)) + " "


def _agency(words: LanguageTexts, agency: str | None) -> str:
    marked = words.agencies.get(agency or "") or templates()[FALLBACK].agencies.get(agency or "")
    return words.agency.format(agency=marked) if marked else ""


def _fit(
    words: LanguageTexts,
    kind: AlertKind,
    form: Form,
    notice: str,
    places: list[str],
    fields: dict[str, str],
    activity: str,
) -> str:
    """The first way of saying the place whose text fits the form's limit."""
    activities: dict[str, str] = getattr(words.activities, form)
    what = activities.get(activity) or activities["other"]
    rights: str = getattr(words.rights, form)
    template: str = getattr(words.kinds[kind], form)
    for place in places:
        text = notice + template.format(**fields, what=what, rights=rights, place=place)
        if len(text) <= LIMITS[form]:
            return text
    raise TextTooLong(
        N_(
            "The alert text would be longer than {max} characters, even with the place's "
            "shortest name."
        ),
        params={"max": LIMITS[form]},
        details={"form": form},
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


def local_time(moment: datetime, settings: Settings, language: str) -> str:
    local = moment.astimezone(ZoneInfo(settings.alert_timezone))
    written = str(format_time(local, format="short", locale=language.replace("-", "_")))
    # CLDR puts a narrow no-break space before AM/PM: outside GSM-7, it would make an
    # English text a UCS-2 one (70 characters per SMS segment instead of 160).
    return written.replace("\u202f", " ").replace("\xa0", " ")
