"""Messages left on the hotline come home: fetched from the provider into vecinos' own
evidence storage (SHA-256 kept for chain of custody), then deleted at the provider, so a
caller's voice does not stay on someone else's servers.

Two phases, as for time-stamps: the job claims due calls in the worker's short transaction (a
lease: a worker that dies mid-way leaves them due again), and once that committed, the
requests go out with no transaction open; each step is recorded in a short transaction of its
own. A failed request leaves the call due again after the lease. The requests are
`recording_fetch`'s, loaded when a round has claimed a call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.db import AtTransactionEnd
from vecinos.hotline.call_models import HotlineCall

LEASE = timedelta(minutes=2)
BATCH = 20
AT_PROVIDER, STORED, DELETED = "at_provider", "stored", "deleted"


@dataclass(frozen=True)
class Round:
    call_ids: tuple[int, ...]
    settings: Settings


def fetch_due(db: Session, now: datetime, settings: Settings) -> int:
    """Claim the calls whose message is still at the provider; fetched after commit."""
    if not settings.twilio_account_sid:
        return 0
    due = HotlineCall.recording_state.in_([AT_PROVIDER, STORED]) & (
        HotlineCall.recording_next_at <= now
    )
    ids = list(
        db.scalars(select(HotlineCall.id).where(due).limit(BATCH).with_for_update(skip_locked=True))
    )
    if ids:
        db.execute(
            update(HotlineCall)
            .where(HotlineCall.id.in_(ids), due)
            .values(recording_next_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        _rounds.add(db, Round(tuple(ids), settings))
    return len(ids)


def _after_commit(session: Session, rounds: list[Round]) -> None:
    # The fetching half (an HTTP client) is loaded only when a round has claimed calls: the
    # worker loads this job as `vecinos serve` starts, and most rounds claim nothing.
    from vecinos.hotline.recording_fetch import bring_home

    for round_ in rounds:
        with Session(bind=session.get_bind()) as db:
            bring_home(db, round_)


_rounds = AtTransactionEnd[Round]("hotline_recordings", on_commit=_after_commit)
