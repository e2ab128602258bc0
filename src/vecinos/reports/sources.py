"""Who sent a report, as little as corroboration needs: a keyed hash that changes every day.

The same device or phone gives the same hash all day (so five reports from one phone count as
one source) and an unrelated one tomorrow (so the table cannot follow a person over time).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.crypto import blind_index, constant_time_equal
from vecinos.incidents.models import Incident, IncidentState
from vecinos.reports.models import Report

STATUS_MAC_CHARS = 20  # 80 bits: unguessable, short enough to read out on the phone


def source_hash(settings: Settings, value: str | None, now: datetime) -> str:
    """Hash of a device token or phone number under today's purpose; random when unknown."""
    if not value:
        return secrets.token_hex(32)  # a hotline caller we cannot tell apart: a source of its own
    return blind_index(settings.secret, f"report-source:{now.date().isoformat()}", value.strip())


def idempotency_hash(settings: Settings, key: str) -> str:
    return blind_index(settings.secret, "report-idempotency", key)


def status_token(settings: Settings, report_id: int) -> str:
    """A capability to read one report's status; derived, so nothing needs storing."""
    mac = blind_index(settings.secret, "report-status", str(report_id))[:STATUS_MAC_CHARS]
    return f"{report_id}-{mac}"


def report_id_of(settings: Settings, token: str) -> int | None:
    number, _, mac = token.partition("-")
    if not number.isdigit() or len(number) > 18:
        return None
    expected = status_token(settings, int(number))
    return int(number) if constant_time_equal(expected, token) and mac else None


def has_unfounded_history(db: Session, source: str) -> bool:
    """True when an earlier report from this source (today) belonged to an unfounded incident."""
    query = select(
        exists()
        .where(Report.source_hash == source, Report.incident_id == Incident.id)
        .where(Incident.verdict == IncidentState.UNFOUNDED.value)
    )
    return bool(db.scalar(query))
