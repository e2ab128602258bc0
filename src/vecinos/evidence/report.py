"""The bundle's human-readable report (PDF): what a court, a lawyer or a family reads first.

Incident summary, observer reports, the timeline with every hash and the time its RFC 3161
time-stamp proves, the media with their SHA-256, and how to check all of it without trusting
vecinos. Built from the same values as the bundle's JSON files, rendered by WeasyPrint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from vecinos.dispatch.models import Finding
from vecinos.dispatch.observer_labels import (
    COLOUR_LABELS,
    EQUIPMENT_LABELS,
    NEED_LABELS,
    VEHICLE_LABELS,
    WARRANT_LABELS,
)
from vecinos.i18n import N_, gettext
from vecinos.incidents.models import IncidentState
from vecinos.vocabulary import ACTIVITY_LABELS, AGENCY_LABELS

FINDING_LABELS = {
    Finding.CONFIRMED: N_("Confirmed: I see it"),
    Finding.NOT_FOUND: N_("Not found"),
    Finding.DIFFERENT_ACTIVITY: N_("Different activity"),
}
STATE_LABELS = {
    IncidentState.REPORTED: N_("Reported"),
    IncidentState.VERIFYING: N_("Verifying"),
    IncidentState.CONFIRMED: N_("Confirmed"),
    IncidentState.UNFOUNDED: N_("Unfounded"),
    IncidentState.ENDED: N_("Ended"),
    IncidentState.EXPIRED: N_("Expired"),
}
# The events a reader meets most; any other shows its code.
EVENT_LABELS = {
    "opened": N_("Incident opened by a report"),
    "report_added": N_("Another report joined"),
    "state_changed": N_("State changed"),
    "dispatch.requested": N_("Verification requested"),
    "dispatch.offered": N_("Responder asked"),
    "dispatch.accepted": N_("Responder accepted"),
    "dispatch.en_route": N_("Responder on the way"),
    "dispatch.on_scene": N_("Responder on scene"),
    "dispatch.finding": N_("Finding and observer report filed"),
    "media_added": N_("Media added"),
    "recording_started": N_("Recording started"),
    "recording_finished": N_("Recording finished"),
    "legal_hold_placed": N_("Legal hold placed"),
    "legal_hold_released": N_("Legal hold released"),
    "alert.published": N_("Alert published"),
}


@dataclass(frozen=True)
class ReportInput:
    incident: dict[str, Any]
    events: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    media: list[dict[str, Any]]
    stamps: list[dict[str, Any]]
    timeline_head: str
    key_id: str
    created_at: datetime


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("vecinos.evidence", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _utc(value: Any) -> str:
    if value is None:
        return "—"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _labeller(language: str) -> Any:
    tables: dict[str, dict[Any, str]] = {
        "activity": {a.value: t for a, t in ACTIVITY_LABELS.items()},
        "agency": {a.value: t for a, t in AGENCY_LABELS.items()},
        "equipment": {e.value: t for e, t in EQUIPMENT_LABELS.items()},
        "warrant": {w.value: t for w, t in WARRANT_LABELS.items()},
        "need": {n.value: t for n, t in NEED_LABELS.items()},
        "vehicle": {v.value: t for v, t in VEHICLE_LABELS.items()},
        "colour": {c.value: t for c, t in COLOUR_LABELS.items()},
        "finding": {f.value: t for f, t in FINDING_LABELS.items()},
        "event": EVENT_LABELS,
        "state": {s.value: t for s, t in STATE_LABELS.items()},
    }

    def label(table: str, value: Any) -> str:
        if value is None:
            return "—"
        text = tables[table].get(str(value))
        return gettext(language, text) if text else str(value)

    return label


def _times(stamps: list[dict[str, Any]], subject: str) -> dict[int, Any]:
    return {s["ref"]: s["time"] for s in stamps if s["subject"] == subject and s["file"]}


def report_html(data: ReportInput, language: str) -> str:
    def translate(message: str, **values: Any) -> str:
        translated = gettext(language, message)
        return translated.format(**values) if values else translated

    return (
        environment()
        .get_template("bundle_report.html")
        .render(
            data=data,
            language=language,
            _=translate,
            label=_labeller(language),
            utc=_utc,
            event_times=_times(data.stamps, "event"),
            media_times=_times(data.stamps, "media"),
            stamped=sum(1 for s in data.stamps if s["file"]),
            pending=sum(1 for s in data.stamps if not s["file"]),
        )
    )


def render_report(data: ReportInput, language: str) -> bytes:
    from weasyprint import HTML  # loads Pango when called, like the rights cards

    pdf: bytes = HTML(string=report_html(data, language)).write_pdf()
    return pdf
