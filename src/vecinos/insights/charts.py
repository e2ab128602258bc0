"""The dashboard: every chart as SVG and as the table behind it (the CSV download)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.i18n import N_, gettext
from vecinos.insights import facts as data
from vecinos.insights import metrics, scheduled, svg
from vecinos.insights.window import Window

Cell = str | int | float
Translate = Callable[[str], str]


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    desc: str
    columns: list[str]  # stable keys: the CSV header
    headers: list[str]  # the same, in the reader's language: the page's table
    rows: list[list[Cell]]
    svg: str
    # What the page's table shows for a stable key in the rows (an outcome, a step): its
    # words in the reader's language. The CSV keeps the keys.
    words: dict[str, str] = field(default_factory=dict)

    @property
    def shown_rows(self) -> list[list[Cell]]:
        return [[self.words.get(c, c) if isinstance(c, str) else c for c in r] for r in self.rows]


@dataclass
class Dashboard:
    window: Window
    reports: int
    incidents: int
    coverage_minutes: int
    stages: list[metrics.StageTime]
    charts: dict[str, Chart] = field(default_factory=dict)


# Coverage colours: colour-blind-safe, from none reached (gap) to all reached.
GAP, PARTIAL, COVERED = "#b2182b", "#f4a582", "#2166ac"


def build(
    db: Session,
    scope: data.Scope,
    window: Window,
    settings: Settings,
    language: str,
    only: str | None = None,
) -> Dashboard:
    """Every chart, or just the one named `only` (a download needs no other)."""

    def _(message: str) -> str:
        return gettext(language, message)

    incidents = data.incidents(db, scope, window)
    reports = data.report_times(db, scope, window)
    minutes = settings.insights_coverage_minutes
    board = Dashboard(window, len(reports), len(incidents), minutes, metrics.stage_times(incidents))
    opened = [f.opened_at for f in incidents]
    makers: dict[str, Callable[[], Chart]] = {
        "reports-by-day": lambda: _per_day(
            "reports-by-day", _(N_("Reports by day")), reports, window, _
        ),
        "incidents-by-day": lambda: _per_day(
            "incidents-by-day", _(N_("Incidents by day")), opened, window, _
        ),
        "incidents-by-zone": lambda: _by_zone(incidents, _),
        "outcomes": lambda: _outcomes(incidents, _),
        "stage-times": lambda: _stages(board.stages, _),
        "on-shift-by-hour": lambda: _on_shift(data.shift_spans(db, scope, window), window, _),
        "coverage": lambda: _coverage(incidents, data.zone_outlines(db, scope), minutes, _),
        # Beside the reached/unreached map: where planned shifts are short of people.
        "scheduled-coverage": lambda: _scheduled(
            scheduled.coverage(db, scope, window.since, window.until),
            data.zone_outlines(db, scope),
            _,
        ),
    }
    for slug, make in makers.items():
        if only in (None, slug):
            board.charts[slug] = make()
    return board


def _day_label(day: date) -> str:
    return day.strftime("%m-%d")


def _per_day(
    slug: str, title: str, moments: Sequence[datetime], window: Window, _: Translate
) -> Chart:
    days = metrics.by_day(moments, window)
    desc = _("Count for each local day, oldest first; total %(total)s.") % {
        "total": sum(n for _day, n in days)
    }
    every = max(1, len(days) // 10)
    picture = svg.bar_chart(
        title, desc, [_day_label(d) for d, _n in days], [n for _d, n in days], label_every=every
    )
    rows: list[list[Cell]] = [[d.isoformat(), n] for d, n in days]
    return Chart(slug, title, desc, ["day", "count"], [_("day"), _("count")], rows, picture)


def _zone_name(zone: str | None, _: Translate) -> str:
    return zone if zone is not None else _(metrics.NO_ZONE)


def _by_zone(incidents: Sequence[data.IncidentFacts], _: Translate) -> Chart:
    title = _("Incidents by zone")
    desc = _("Incidents opened in the period, by the zone they fell in.")
    zones = metrics.by_zone(incidents)
    labels = [_zone_name(z, _) for z, _n in zones]
    values = [n for _z, n in zones]
    picture = svg.hbar_chart(title, desc, labels, values, [str(n) for n in values])
    rows: list[list[Cell]] = [[label, n] for label, n in zip(labels, values, strict=True)]
    return Chart(
        "incidents-by-zone",
        title,
        desc,
        ["zone", "incidents"],
        [_("zone"), _("incidents")],
        rows,
        picture,
    )


def _outcomes(incidents: Sequence[data.IncidentFacts], _: Translate) -> Chart:
    title = _("What became of the incidents")
    desc = _("Share of the period's incidents verified, unfounded, expired or still open.")
    names = dict(metrics.OUTCOMES)
    shares = metrics.outcome_shares(incidents)
    labels = [_(names[key]) for key, _n, _s in shares]
    shown = [f"{n} · {share:.0%}" for _k, n, share in shares]
    picture = svg.hbar_chart(title, desc, labels, [s for _k, _n, s in shares], shown)
    rows: list[list[Cell]] = [[key, n, round(share, 4)] for key, n, share in shares]
    return Chart(
        "outcomes",
        title,
        desc,
        ["outcome", "incidents", "share"],
        [_("outcome"), _("incidents"), _("share")],
        rows,
        picture,
        words={key: _(name) for key, name in metrics.OUTCOMES},
    )


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _stages(stages: Sequence[metrics.StageTime], _: Translate) -> Chart:
    title = _("Time taken at each step (minutes)")
    desc = _(
        "Median minutes for each step; the text gives the median, the 90th percentile and"
        " how many incidents were measured."
    )
    labels = [_(s.label) for s in stages]
    shown = [
        _("median %(median)s · p90 %(p90)s · n=%(n)s")
        % {"median": _minutes(s.median_minutes), "p90": _minutes(s.p90_minutes), "n": s.count}
        for s in stages
    ]
    values = [s.median_minutes or 0.0 for s in stages]
    picture = svg.hbar_chart(title, desc, labels, values, shown)
    rows: list[list[Cell]] = [
        [s.key, s.count, _minutes(s.median_minutes), _minutes(s.p90_minutes)] for s in stages
    ]
    columns = ["step", "incidents_measured", "median_minutes", "p90_minutes"]
    headers = [_("step"), _("incidents measured"), _("median minutes"), _("p90 minutes")]
    words = {s.key: _(s.label) for s in stages}
    return Chart("stage-times", title, desc, columns, headers, rows, picture, words)


def _on_shift(spans: Sequence[tuple[datetime, datetime]], window: Window, _: Translate) -> Chart:
    title = _("Responders on shift by hour of the day")
    desc = _("Average number of responders on shift in each local hour, over the period's days.")
    averages = metrics.on_shift_by_hour(spans, window)
    labels = [f"{hour:02d}" for hour in range(24)]
    picture = svg.bar_chart(title, desc, labels, averages, label_every=2)
    rows: list[list[Cell]] = [
        [label, round(v, 2)] for label, v in zip(labels, averages, strict=True)
    ]
    columns, headers = ["hour", "responders_on_shift"], [_("hour"), _("responders on average")]
    return Chart("on-shift-by-hour", title, desc, columns, headers, rows, picture)


def _coverage(
    incidents: Sequence[data.IncidentFacts],
    outlines: Sequence[dict[str, object]],
    minutes: int,
    _: Translate,
) -> Chart:
    title = _("Where a responder reached the scene within %(minutes)s minutes") % {
        "minutes": minutes
    }
    desc = _(
        "Each hexagon is a coarse public area with incidents whose verification was requested."
        " Red: no responder was on scene within %(minutes)s minutes of any request there;"
        " orange: some; blue: all. Dashed lines are zone outlines."
    ) % {"minutes": minutes}
    cells = metrics.coverage(incidents, minutes)
    hexes = [
        svg.HexCell(
            c.cell,
            _fill(c),
            _("%(reached)s of %(requested)s reached in time")
            % {"reached": c.reached, "requested": c.requested},
        )
        for c in cells
    ]
    legend = [
        (GAP, _("No responder within %(minutes)s minutes") % {"minutes": minutes}),
        (PARTIAL, _("Some requests reached in time")),
        (COVERED, _("Every request reached in time")),
    ]
    picture = svg.hex_map(title, desc, hexes, _rings(outlines), legend)
    rows: list[list[Cell]] = [[c.cell, c.requested, c.reached, round(c.share, 4)] for c in cells]
    columns = ["h3_cell", "requests", "reached_in_time", "share"]
    headers = [_("h3 cell"), _("requests"), _("reached in time"), _("share")]
    return Chart("coverage", title, desc, columns, headers, rows, picture)


def _scheduled(
    places: Sequence[scheduled.PlaceCoverage],
    outlines: Sequence[dict[str, object]],
    _: Translate,
) -> Chart:
    title, desc, hexes, legend = scheduled.chart_parts(places, _)
    picture = svg.hex_map(title, desc, hexes, _rings(outlines), legend)
    rows: list[list[Cell]] = [
        [p.name or _("The whole organization"), p.slots, p.short, p.missing] for p in places
    ]
    columns = ["place", "shifts", "short_shifts", "people_missing"]
    headers = [_("place"), _("shifts"), _("short shifts"), _("people missing")]
    return Chart("scheduled-coverage", title, desc, columns, headers, rows, picture)


def _fill(cell: metrics.CellCoverage) -> str:
    if cell.reached == 0:
        return GAP
    return COVERED if cell.reached == cell.requested else PARTIAL


def _rings(outlines: Sequence[dict[str, object]]) -> list[list[tuple[float, float]]]:
    """Outer rings of zone polygons as (lat, lon) points."""
    rings: list[list[tuple[float, float]]] = []
    for geometry in outlines:
        coordinates: Any = geometry.get("coordinates") or []
        polygons = [coordinates] if geometry.get("type") == "Polygon" else coordinates
        for polygon in polygons:
            rings.append([(float(lat), float(lon)) for lon, lat in polygon[0]])
    return rings
