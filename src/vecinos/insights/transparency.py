"""The public transparency page: incidents per week and outcome, coarse and delayed.

Two rules, both enforced here and both tested: a count is shown only when it is at least
`transparency_min_incidents` (never below 5; smaller counts, zero included, show as "fewer
than 5"), and only incidents opened at least `transparency_min_age_hours` ago (never below 24)
count at all. Only weeks that ended before that count, so a number never grows from one day to
the next. There is one table and no totals, so a hidden cell cannot be recovered by subtracting
shown numbers from a total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.incidents.models import Incident
from vecinos.insights.facts import outcome_of
from vecinos.insights.metrics import OUTCOMES

WEEKS = 12
FLOOR_K, FLOOR_HOURS = 5, 24  # whatever the settings say, never less than this


@dataclass(frozen=True)
class PublicTable:
    weeks: list[date]  # the Monday (local) of each week, newest first
    outcomes: list[str]
    cells: dict[tuple[date, str], int | None]  # None: fewer than k, not shown
    counted_until: datetime
    k: int

    def shown(self) -> list[int]:
        return [n for n in self.cells.values() if n is not None]


def monday_of(moment: datetime, tz: ZoneInfo) -> date:
    day = moment.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def tabulate(
    incidents: Iterable[tuple[datetime, str, str | None]],
    *,
    now: datetime,
    tz: ZoneInfo,
    k: int = FLOOR_K,
    min_age: timedelta = timedelta(hours=FLOOR_HOURS),
    weeks: int = WEEKS,
) -> PublicTable:
    """(opened_at, state, verdict) rows in, the public table out (pure: no database)."""
    k = max(k, FLOOR_K)
    cutoff = now - max(min_age, timedelta(hours=FLOOR_HOURS))
    # Complete weeks only: a week still filling up would let a daily visitor subtract
    # yesterday's number from today's and see a single incident.
    newest = monday_of(cutoff, tz) - timedelta(weeks=1)
    week_list = [newest - timedelta(weeks=n) for n in range(weeks)]
    counts: Counter[tuple[date, str]] = Counter()
    for opened_at, state, verdict in incidents:
        if opened_at <= cutoff:
            counts[(monday_of(opened_at, tz), outcome_of(state, verdict))] += 1
    outcomes = [key for key, _label in OUTCOMES]
    cells = {
        (week, outcome): _show(counts[(week, outcome)], k)
        for week in week_list
        for outcome in outcomes
    }
    return PublicTable(week_list, outcomes, cells, cutoff, k)


def _show(count: int, k: int) -> int | None:
    return count if count >= k else None


def public_table(db: Session, *, now: datetime, settings: Settings) -> PublicTable:
    tz = ZoneInfo(settings.alert_timezone)
    min_age = timedelta(hours=max(settings.transparency_min_age_hours, FLOOR_HOURS))
    cutoff = now - min_age
    since = datetime.combine(
        monday_of(cutoff, tz) - timedelta(weeks=WEEKS), datetime.min.time(), tzinfo=tz
    )
    rows = db.execute(
        select(Incident.opened_at, Incident.state, Incident.verdict).where(
            Incident.opened_at >= since, Incident.opened_at <= cutoff
        )
    )
    return tabulate(
        ((opened, str(state), verdict) for opened, state, verdict in rows),
        now=now,
        tz=tz,
        k=settings.transparency_min_incidents,
        min_age=min_age,
    )
