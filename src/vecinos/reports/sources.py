"""Who sent a report, as little as corroboration needs: a keyed hash that changes every day.

The same device or phone gives the same hash all day (so five reports from one phone count as
one source) and an unrelated one tomorrow (so the table cannot follow a person over time).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from pydantic import BaseModel
from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.crypto import blind_index, constant_time_equal
from vecinos.db import MAX_ROW_ID
from vecinos.incidents.models import Incident, IncidentState
from vecinos.reports.models import Report, Source

STATUS_MAC_CHARS = 20  # 80 bits: unguessable, short enough to read out on the phone


def source_hash(settings: Settings, value: str | None, now: datetime) -> str:
    """Hash of a device token or phone number under today's purpose; random when unknown."""
    if not value:
        return secrets.token_hex(32)  # a hotline caller we cannot tell apart: a source of its own
    return blind_index(settings.secret, f"report-source:{now.date().isoformat()}", value.strip())


def idempotency_hash(settings: Settings, key: str) -> str:
    return blind_index(settings.secret, "report-idempotency", key)


def request_fingerprint(settings: Settings, sent: BaseModel) -> str:
    """What a report said (its key aside), keyed: a retry matches, another report does not."""
    # The proof is not what was said: a retry may carry a fresh one.
    words = sent.model_dump_json(exclude={"idempotency_key", "proof"})
    return blind_index(settings.secret, "report-request", words)


def status_token(settings: Settings, report_id: int) -> str:
    """A capability to read one report's status; derived, so nothing needs storing."""
    mac = blind_index(settings.secret, "report-status", str(report_id))[:STATUS_MAC_CHARS]
    return f"{report_id}-{mac}"


def report_id_of(settings: Settings, token: str) -> int | None:
    number, _, mac = token.partition("-")
    if not number.isdigit() or len(number) > 10 or int(number) > MAX_ROW_ID:
        return None
    expected = status_token(settings, int(number))
    return int(number) if constant_time_equal(expected, token) and mac else None


@dataclass(frozen=True)
class History:
    """What today's earlier reports of one source say: the incidents they are in, and whether
    one of those turned out unfounded (then the new report is low-trust)."""

    incident_ids: frozenset[int]
    unfounded: bool

    def including(self, incident_id: int) -> History:
        """The history once one more report of this source is in `incident_id`."""
        return History(self.incident_ids | {incident_id}, self.unfounded)


def history(connection: Connection, source: str) -> History:
    """One look-up by the source's hash (indexed; a source sends few reports in a day)."""
    return histories(connection, [source])[source]


def histories(connection: Connection, sources: Iterable[str]) -> dict[str, History]:
    """`history` of several sources in one query (the intake writer's batches)."""
    wanted = set(sources)
    found: dict[str, list[tuple[int, str | None]]] = {source: [] for source in wanted}
    for source, incident_id, verdict in connection.execute(_HISTORY, {"sources": list(wanted)}):
        found[source].append((incident_id, verdict))
    return {
        source: History(
            frozenset(incident_id for incident_id, _ in rows),
            any(verdict == IncidentState.UNFOUNDED.value for _, verdict in rows),
        )
        for source, rows in found.items()
    }


_REPORTS, _INCIDENTS = cast(Table, Report.__table__), cast(Table, Incident.__table__)
_HISTORY = (
    select(_REPORTS.c.source_hash, _REPORTS.c.incident_id, _INCIDENTS.c.verdict)
    .join(_INCIDENTS, _INCIDENTS.c.id == _REPORTS.c.incident_id)
    .where(_REPORTS.c.source_hash.in_(bindparam("sources", expanding=True)))
    .distinct()
)


# Reports staff wrote themselves (a dispatcher typing up a call or a voicemail). `api` is not
# here: anyone may say a report comes from an API.
STAFF_WRITTEN = (Source.HOTLINE.value,)


def vouched_for(db: Session, incident_ids: Sequence[int]) -> set[int]:
    """The incidents among these that a report written by staff is part of."""
    if not incident_ids:
        return set()
    found = select(Report.incident_id).where(
        Report.incident_id.in_(incident_ids), Report.source.in_(STAFF_WRITTEN)
    )
    return set(db.scalars(found.distinct()))
