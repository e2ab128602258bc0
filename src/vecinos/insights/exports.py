"""Coordinators' exports of their organization's incidents: CSV and GeoJSON.

Only what the public board could show about where (the centre of the coarse public cell), the
incident's own counts and times, and its zone. Never contacts, descriptions, cross streets (free
text a reporter typed), names, members, or anyone's exact position.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from vecinos.insights.charts import Cell
from vecinos.insights.facts import IncidentFacts

COLUMNS = (
    "incident",
    "opened_at",
    "state",
    "outcome",
    "activity",
    "reports",
    "distinct_sources",
    "zone",
    "public_cell",
    "public_lat",
    "public_lon",
    "verification_requested_at",
    "first_on_scene_at",
    "confirmed_at",
    "alert_sent_at",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def record(facts: IncidentFacts) -> dict[str, Any]:
    return {
        "incident": facts.id,
        "opened_at": _when(facts.opened_at),
        "state": facts.state,
        "outcome": facts.outcome,
        "activity": facts.activity,
        "reports": facts.report_count,
        "distinct_sources": facts.source_count,
        "zone": facts.zone or "",
        "public_cell": facts.public_cell,
        "public_lat": facts.public_lat,
        "public_lon": facts.public_lon,
        "verification_requested_at": _when(facts.requested_at),
        "first_on_scene_at": _when(facts.on_scene_at),
        "confirmed_at": _when(facts.confirmed_at),
        "alert_sent_at": _when(facts.alert_at),
    }


def safe_cell(value: Cell) -> Cell:
    """A spreadsheet must not run a zone name as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()


def incidents_csv(incidents: Sequence[IncidentFacts]) -> str:
    rows = [[record(f)[c] for c in COLUMNS] for f in incidents]
    return to_csv(COLUMNS, rows)


def incidents_geojson(incidents: Sequence[IncidentFacts]) -> str:
    features = []
    for facts in incidents:
        properties = record(facts)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [facts.public_lon, facts.public_lat]},
                "properties": properties,
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
