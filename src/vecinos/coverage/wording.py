"""Times and codes as people read them: local times in the schedule's zone, in their language;
site kinds, duties and vetting levels in words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time

from vecinos.coverage.models import AccompanimentKind, SiteKind
from vecinos.coverage.recurrence import to_utc
from vecinos.i18n import N_, gettext
from vecinos.training.words import DUTY_WORDS, LEVEL_WORDS

Code = TypeVar("Code", bound=str)

SITE_KINDS = {
    SiteKind.SCHOOL: N_("School"),
    SiteKind.COURT: N_("Court"),
    SiteKind.CHURCH: N_("Church"),
    SiteKind.CLINIC: N_("Clinic"),
    SiteKind.DAY_LABOR_CORNER: N_("Day-labor corner"),
    SiteKind.IMMIGRATION_OFFICE: N_("Immigration office (check-ins)"),
    SiteKind.OTHER: N_("Other place"),
}
DUTIES, LEVELS = DUTY_WORDS, LEVEL_WORDS
ACCOMPANIMENT_KINDS = {
    AccompanimentKind.HEARING: N_("A court hearing"),
    AccompanimentKind.CHECK_IN: N_("An immigration check-in"),
    AccompanimentKind.OTHER: N_("Another appointment"),
}
WEEKDAY_NAMES = {
    "MO": N_("Mon"), "TU": N_("Tue"), "WE": N_("Wed"), "TH": N_("Thu"),
    "FR": N_("Fri"), "SA": N_("Sat"), "SU": N_("Sun"),
}  # fmt: skip


def instant(on: date, at: time, zone: str) -> datetime:
    """A local date and wall-clock time in `zone` as a UTC instant."""
    return to_utc(datetime.combine(on, at), ZoneInfo(zone))


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


DAY_PATTERNS = {"en": "EEEE, MMMM d", "es": "EEEE d 'de' MMMM"}


def day(moment: datetime, zone: str, language: str) -> str:
    """ "Monday, June 1" / "lunes 1 de junio"."""
    pattern = DAY_PATTERNS.get(language, DAY_PATTERNS["en"])
    return format_date(local(moment, zone), pattern, locale=language)


def clock_time(moment: datetime, zone: str, language: str) -> str:
    return format_time(local(moment, zone), "HH:mm", locale=language)


def span(start: datetime, end: datetime, zone: str, language: str) -> str:
    return f"{clock_time(start, zone, language)}–{clock_time(end, zone, language)}"


def words(table: Mapping[Code, str], language: str) -> dict[str, str]:
    return {str(code): gettext(language, label) for code, label in table.items()}


def language_name(code: str, language: str) -> str:
    """ "Spanish" / "español" for "es"; the code itself when Babel does not know it."""
    try:
        named = Locale.parse(code.replace("-", "_")).get_display_name(language)
    except (ValueError, UnknownLocaleError):
        return code
    return named or code
