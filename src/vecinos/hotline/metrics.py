"""How the hotline answers: calls, how fast operators pick up (NENA's call-answering standard:
90% within 15 s, 95% within 20 s), calls abandoned while ringing, messages, by hour and
language. The wait is counted from the moment the caller pressed 1 (ringing began)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.hotline.call_models import HotlineCall

NENA = ((15, 0.90), (20, 0.95))  # (seconds, share of calls that must be answered within)


@dataclass(frozen=True)
class HourRow:
    hour: datetime
    calls: int
    answered: int
    abandoned: int


@dataclass(frozen=True)
class CallMetrics:
    since: datetime
    calls: int
    rung: int
    answered: int
    abandoned: int
    messages: int
    answered_within: dict[int, float]  # seconds → share of rung calls answered that fast
    meets_standard: dict[int, bool]
    by_language: dict[str, int]
    by_hour: list[HourRow] = field(default_factory=list)


def measure(db: Session, *, now: datetime, days: int) -> CallMetrics:
    since = now - timedelta(days=days)
    rows = db.scalars(select(HotlineCall).where(HotlineCall.started_at >= since)).all()
    rung = [call for call in rows if call.rung_at is not None]
    within = {seconds: _share_within(rung, seconds) for seconds, _ in NENA}
    return CallMetrics(
        since=since,
        calls=len(rows),
        rung=len(rung),
        answered=sum(1 for call in rung if call.answered_at is not None),
        abandoned=sum(1 for call in rung if _abandoned(call)),
        messages=sum(1 for call in rows if call.recording_sid is not None),
        answered_within=within,
        meets_standard={seconds: within[seconds] >= share for seconds, share in NENA},
        by_language=dict(Counter(call.language or "none" for call in rows)),
        by_hour=_by_hour(rows),
    )


def _share_within(rung: Sequence[HotlineCall], seconds: int) -> float:
    if not rung:
        return 1.0
    waits = [_wait(call) for call in rung]
    return sum(1 for wait in waits if wait is not None and wait <= seconds) / len(rung)


def _wait(call: HotlineCall) -> float | None:
    if call.answered_at is None or call.rung_at is None:
        return None
    return (call.answered_at - call.rung_at).total_seconds()


def _abandoned(call: HotlineCall) -> bool:
    """Rung, nobody took it, and the caller left no message either."""
    return call.answered_at is None and call.recording_sid is None and call.ended_at is not None


def _by_hour(rows: Sequence[HotlineCall]) -> list[HourRow]:
    hours: dict[datetime, list[HotlineCall]] = {}
    for call in rows:
        hours.setdefault(call.started_at.replace(minute=0, second=0, microsecond=0), []).append(
            call
        )
    return [
        HourRow(
            hour=hour,
            calls=len(group),
            answered=sum(1 for call in group if call.answered_at is not None),
            abandoned=sum(1 for call in group if call.rung_at is not None and _abandoned(call)),
        )
        for hour, group in sorted(hours.items())
    ]
