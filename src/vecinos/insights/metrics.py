"""Pure arithmetic over incident facts: counts by day and zone, outcome shares, stage times,
responders on shift by hour, coverage by coarse cell. No database, so easy to test exactly."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from vecinos.i18n import N_
from vecinos.insights.facts import IncidentFacts
from vecinos.insights.window import Window

OUTCOMES: tuple[tuple[str, str], ...] = (
    ("verified", N_("Verified")),
    ("unfounded", N_("Unfounded")),
    ("expired", N_("Expired (nobody could check in time)")),
    ("open", N_("Open, or ended without a verdict")),
)
NO_ZONE = N_("Outside every zone")

Moment = Callable[[IncidentFacts], datetime | None]
STAGES: tuple[tuple[str, str, Moment, Moment], ...] = (
    (
        "report_to_request",
        N_("Report → verification requested"),
        lambda f: f.opened_at,
        lambda f: f.requested_at,
    ),
    (
        "request_to_scene",
        N_("Verification requested → on scene"),
        lambda f: f.requested_at,
        lambda f: f.on_scene_at,
    ),
    (
        "scene_to_confirmed",
        N_("On scene → confirmed"),
        lambda f: f.on_scene_at,
        lambda f: f.confirmed_at,
    ),
    (
        "confirmed_to_alert",
        N_("Confirmed → alert sent"),
        lambda f: f.confirmed_at,
        lambda f: f.alert_at,
    ),
    (
        "report_to_alert",
        N_("Report → alert sent (whole way)"),
        lambda f: f.opened_at,
        lambda f: f.alert_at,
    ),
)


def by_day(moments: Iterable[datetime], window: Window) -> list[tuple[date, int]]:
    counts = Counter(window.day_of(m) for m in moments)
    return [(day, counts.get(day, 0)) for day in window.day_list()]


def by_zone(facts: Iterable[IncidentFacts]) -> list[tuple[str | None, int]]:
    """Incidents per zone, most first; None is 'outside every zone'."""
    counts = Counter(f.zone for f in facts)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0] or "\uffff"))


def outcome_shares(facts: Sequence[IncidentFacts]) -> list[tuple[str, int, float]]:
    """(outcome, count, share of all incidents) for each outcome, in a fixed order."""
    counts = Counter(f.outcome for f in facts)
    total = len(facts)
    return [(key, counts[key], counts[key] / total if total else 0.0) for key, _ in OUTCOMES]


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that actually occurred, never an interpolation."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class StageTime:
    key: str
    label: str
    count: int
    median_minutes: float | None
    p90_minutes: float | None


def stage_times(facts: Iterable[IncidentFacts]) -> list[StageTime]:
    rows = list(facts)
    result = []
    for key, label, start, end in STAGES:
        minutes = [
            (e - s).total_seconds() / 60
            for s, e in ((start(f), end(f)) for f in rows)
            if s is not None and e is not None and e >= s
        ]
        median = percentile(minutes, 0.5) if minutes else None
        p90 = percentile(minutes, 0.9) if minutes else None
        result.append(StageTime(key, label, len(minutes), median, p90))
    return result


def on_shift_by_hour(spans: Iterable[tuple[datetime, datetime]], window: Window) -> list[float]:
    """For each local hour of the day (0–23), responders on shift in it, on average per day.

    A shift counts in every clock hour it overlaps, so a 09:30–10:15 shift counts at 9 and 10.
    """
    totals = [0] * 24
    for start, end in spans:
        slot = start.replace(minute=0, second=0, microsecond=0)
        while slot < end:
            totals[window.local(slot).hour] += 1
            slot += timedelta(hours=1)
    return [total / window.days for total in totals]


@dataclass(frozen=True)
class CellCoverage:
    """Incidents of one coarse public cell whose verification was requested, and how many of
    them had a responder on scene within the coverage time of the request."""

    cell: str
    requested: int
    reached: int

    @property
    def share(self) -> float:
        return self.reached / self.requested if self.requested else 0.0


def coverage(facts: Iterable[IncidentFacts], minutes: int) -> list[CellCoverage]:
    limit = timedelta(minutes=minutes)
    requested: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    for f in facts:
        if f.requested_at is None:
            continue
        requested[f.public_cell] += 1
        if f.on_scene_at is not None and f.on_scene_at - f.requested_at <= limit:
            reached[f.public_cell] += 1
    cells = [CellCoverage(c, n, reached[c]) for c, n in requested.items()]
    return sorted(cells, key=lambda c: (c.share, -c.requested, c.cell))
