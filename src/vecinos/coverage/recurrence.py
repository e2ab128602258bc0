"""When a schedule's shifts happen: RFC 5545 rules (dateutil) on local wall-clock time.

Occurrences are computed as naive local times and only then placed in the schedule's time
zone (zoneinfo), so a 7:30 school watch is at 7:30 local time on both sides of a daylight-
saving change: its UTC instant moves by an hour, its local time does not. A local time that
does not exist (2:30 on the spring-forward night) falls an hour later, as clocks show it; one
that exists twice (1:30 on the fall-back night) is the first of the two. A shift ends at its
local end time too, so the night of a change it is an hour shorter or longer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import DAILY, FR, MO, SA, SU, TH, TU, WE, WEEKLY, rrule, weekday

from vecinos.errors import InvalidInput
from vecinos.i18n import N_

WEEKDAYS: dict[str, weekday] = {
    "MO": MO, "TU": TU, "WE": WE, "TH": TH, "FR": FR, "SA": SA, "SU": SU,
}  # fmt: skip
MAX_EVERY_WEEKS = 4


@dataclass(frozen=True)
class Rule:
    """Every `every_weeks` weeks on `weekdays` (empty: every day), from `starts_on`."""

    weekdays: tuple[str, ...]
    every_weeks: int = 1

    def text(self) -> str:
        if not self.weekdays:
            return "FREQ=DAILY"
        return f"FREQ=WEEKLY;INTERVAL={self.every_weeks};BYDAY={','.join(self.weekdays)}"

    @classmethod
    def parse(cls, text: str) -> Rule:
        parts = dict(item.split("=", 1) for item in text.split(";"))
        if parts.get("FREQ") == "DAILY":
            return cls(())
        return cls(tuple(parts["BYDAY"].split(",")), int(parts.get("INTERVAL", "1")))


def check_rule(weekdays: Sequence[str], every_weeks: int) -> Rule:
    days = tuple(d for d in WEEKDAYS if d in {w.strip().upper() for w in weekdays})
    unknown = {w.strip().upper() for w in weekdays} - set(WEEKDAYS)
    if unknown or not 1 <= every_weeks <= MAX_EVERY_WEEKS:
        raise InvalidInput(
            N_("Give weekdays as MO, TU, WE, TH, FR, SA, SU, every 1 to {max} weeks."),
            params={"max": MAX_EVERY_WEEKS},
            code="invalid_recurrence",
        )
    return Rule(days, every_weeks if days else 1)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            N_("Unknown time zone '{zone}'."), params={"zone": name}, code="unknown_timezone"
        ) from exc


def _rrule(rule: Rule, first: datetime) -> rrule:
    if not rule.weekdays:
        return rrule(DAILY, dtstart=first)
    days = [WEEKDAYS[d] for d in rule.weekdays]
    return rrule(WEEKLY, dtstart=first, interval=rule.every_weeks, byweekday=days)


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive local time in `tz` as a UTC instant. With fold=0 zoneinfo reads a time in a
    gap with the offset before the jump (so it lands an hour later on the clock) and the
    first of a repeated hour as the earlier instant."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def occurrences(
    rule: Rule,
    *,
    starts_on: date,
    ends_on: date | None,
    start_time: time,
    duration: timedelta,
    tz: ZoneInfo,
    after: datetime,
    until: datetime,
) -> Iterator[tuple[datetime, datetime]]:
    """(start, end) in UTC of every occurrence starting in [after, until)."""
    first = datetime.combine(starts_on, start_time)
    # A day of margin each side: the UTC window and local dates differ by up to a day.
    local_after = max(first, after.astimezone(tz).replace(tzinfo=None) - timedelta(days=1))
    local_until = until.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    if ends_on is not None:
        local_until = min(local_until, datetime.combine(ends_on, time.max))
    for local in _rrule(rule, first).between(local_after, local_until, inc=True):
        start = to_utc(local, tz)
        if after <= start < until:
            yield start, to_utc(local + duration, tz)
