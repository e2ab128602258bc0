"""The arithmetic behind the dashboards, on hand-made facts, and the SVG it draws."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from vecinos.geo.cells import cell_of
from vecinos.insights import metrics, svg
from vecinos.insights.facts import IncidentFacts
from vecinos.insights.window import Window

T0 = datetime(2026, 3, 7, 18, 0, tzinfo=UTC)  # 10:00 in Los Angeles, the day before DST starts
CELL = cell_of(34.05, -118.25, 7)


def facts(
    minutes: dict[str, float | None], *, cell: str = CELL, zone: str | None = "Downtown"
) -> IncidentFacts:
    def at(key: str) -> datetime | None:
        value = minutes.get(key)
        return None if value is None else T0 + timedelta(minutes=value)

    return IncidentFacts(
        id=1,
        state="ended",
        verdict="confirmed",
        activity="checkpoint",
        report_count=1,
        source_count=1,
        public_cell=cell,
        public_lat=34.0,
        public_lon=-118.0,
        zone=zone,
        opened_at=T0,
        requested_at=at("request"),
        on_scene_at=at("scene"),
        confirmed_at=at("confirmed"),
        alert_at=at("alert"),
    )


def test_percentile_is_nearest_rank() -> None:
    assert metrics.percentile([5.0], 0.5) == 5.0
    assert metrics.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0
    assert metrics.percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert metrics.percentile([float(n) for n in range(1, 12)], 0.9) == 10.0


@given(st.lists(st.floats(min_value=0, max_value=1e4), min_size=1), st.floats(0.01, 1))
def test_percentile_is_a_value_that_occurred(values: list[float], fraction: float) -> None:
    result = metrics.percentile(values, fraction)
    assert result in values
    assert min(values) <= result <= max(values)


def test_stage_times_skip_missing_and_backwards_steps() -> None:
    rows = [
        facts({"request": 2, "scene": 10, "confirmed": 15, "alert": 16}),
        facts({"request": 4, "scene": None}),
        facts({"request": 6, "scene": 5}),  # clock trouble: never a negative duration
    ]
    by_key = {s.key: s for s in metrics.stage_times(rows)}
    assert by_key["report_to_request"].count == 3
    assert by_key["report_to_request"].median_minutes == 4
    assert by_key["request_to_scene"].count == 1
    assert by_key["report_to_alert"].median_minutes == 16
    assert metrics.stage_times([])[0].median_minutes is None


def test_coverage_counts_requests_reached_within_the_limit() -> None:
    other = cell_of(34.2, -118.4, 7)
    rows = [
        facts({"request": 0, "scene": 10}),  # exactly 10 minutes: reached
        facts({"request": 0, "scene": 11}),
        facts({"request": 0, "scene": 30}, cell=other),
        facts({"request": None}, cell=other),  # nobody asked: not a coverage question
    ]
    cells = metrics.coverage(rows, 10)
    assert [(c.cell, c.requested, c.reached) for c in cells] == [(other, 1, 0), (CELL, 2, 1)]


def test_responders_on_shift_by_local_hour() -> None:
    window = Window.ending(T0 + timedelta(days=2), 2, "America/Los_Angeles")
    spans = [(T0 + timedelta(minutes=30), T0 + timedelta(hours=1, minutes=15))]  # 10:30–11:15
    hours = metrics.on_shift_by_hour(spans, window)
    assert hours[10] == hours[11] == 0.5  # one responder, on one of the two days
    assert sum(hours) == 1.0


def test_days_are_local_days() -> None:
    window = Window.ending(datetime(2026, 3, 9, 7, 0, tzinfo=UTC), 2, "America/Los_Angeles")
    late_evening = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # 22:30 on the 7th in LA
    counts = dict(metrics.by_day([late_evening], window))
    assert counts[late_evening.date() - timedelta(days=1)] == 1


def test_zones_most_first_and_outside_last() -> None:
    rows = [facts({}, zone=None), facts({}, zone="B"), facts({}, zone="B"), facts({}, zone="A")]
    assert metrics.by_zone(rows) == [("B", 2), ("A", 1), (None, 1)]


def parse(drawing: str) -> ET.Element:
    return ET.fromstring(drawing)  # noqa: S314 - our own output, not untrusted input


def test_charts_are_valid_accessible_svg_with_escaped_text() -> None:
    drawing = svg.hbar_chart("Zones <b>", "d & e", ["<script>x</script>"], [3], ["3"])
    root = parse(drawing)  # well-formed XML
    assert root.get("role") == "img" and root.get("aria-label") == "Zones <b>"
    assert "<script>" not in drawing
    bars = svg.bar_chart("t", "d", ["a", "b"], [0, 0])
    assert parse(bars) is not None
    cells = [svg.HexCell(CELL, "#b2182b", "0 of 2")]
    outline = [[(34.0, -118.3), (34.1, -118.3), (34.1, -118.2), (34.0, -118.3)]]
    assert parse(svg.hex_map("m", "d", cells, outline, [("#fff", "x")])) is not None
    assert parse(svg.hex_map("m", "d", [], [], [])) is not None
