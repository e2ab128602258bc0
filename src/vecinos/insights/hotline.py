"""The hotline's part of the dashboard: how the coalition's one phone line was answered over the
period, from the hotline's own metrics, in the reader's language and local hours. The hotline
belongs to the whole coalition, so every dashboard shows the same figures."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from sqlalchemy.orm import Session

from vecinos.hotline import metrics
from vecinos.i18n import N_, gettext
from vecinos.insights.window import Window

NO_LANGUAGE = N_("no language chosen")


@dataclass(frozen=True)
class Standard:
    seconds: int
    share: float  # answered that fast, of the calls that rang operators
    target: float  # NENA's share
    met: bool


@dataclass
class HourLine:
    hour: str  # the local hour of the day, "08:00"
    calls: int = 0
    answered: int = 0
    abandoned: int = 0


@dataclass(frozen=True)
class HotlineSection:
    calls: int
    rung: int
    answered: int
    abandoned: int
    messages: int
    standards: list[Standard]
    hours: list[HourLine]
    languages: list[tuple[str, int]]  # the language's name in the reader's language, calls


def build(db: Session, window: Window, language: str) -> HotlineSection:
    found = metrics.measure(db, now=window.until, days=window.days)
    standards = [
        Standard(seconds, found.answered_within[seconds], target, found.meets_standard[seconds])
        for seconds, target in metrics.NENA
    ]
    hours = _by_hour_of_day(found.by_hour, window)
    languages = sorted(
        ((language_name(code, language), count) for code, count in found.by_language.items()),
        key=lambda pair: (-pair[1], pair[0].casefold()),
    )
    return HotlineSection(
        calls=found.calls,
        rung=found.rung,
        answered=found.answered,
        abandoned=found.abandoned,
        messages=found.messages,
        standards=standards,
        hours=hours,
        languages=languages,
    )


def _by_hour_of_day(rows: list[metrics.HourRow], window: Window) -> list[HourLine]:
    """The period's calls by local hour of the day (when to staff the line), the hours with
    calls only, earliest first."""
    lines: dict[int, HourLine] = {}
    for row in rows:
        hour = window.local(row.hour).hour
        line = lines.setdefault(hour, HourLine(f"{hour:02d}:00"))
        line.calls += row.calls
        line.answered += row.answered
        line.abandoned += row.abandoned
    return [lines[hour] for hour in sorted(lines)]


def language_name(code: str, reader: str) -> str:
    """A caller's language by its own name, as they chose it on the phone, with the reader's
    word for it beside when that differs: "español", "English (inglés)", "한국어 (coreano)".
    Never a bare code: a call that hung up before choosing says so."""
    if code == "none":
        return gettext(reader, NO_LANGUAGE)
    own, theirs = _name_in(code, code), _name_in(code, reader)
    if own is None:
        return theirs or code
    if theirs is None or theirs.casefold() == own.casefold():
        return own
    return f"{own} ({theirs})"


def _name_in(code: str, language: str) -> str | None:
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    name = locale.languages.get(code.replace("-", "_"))
    return str(name) if name else None
