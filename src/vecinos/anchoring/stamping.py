"""The worker's job: ask the time-stamping authority for every hash waiting in the queue.

Two phases, as for alert deliveries: the job claims the due rows in the worker's short
transaction (a lease: a worker that dies mid-way leaves them due again later), and once that
committed, the asking (`asking`) happens with no transaction open — on SQLite an open
transaction holds the one write lock, and reports must never wait for a distant authority.
Each answer is then recorded in a short transaction of its own.

A request that fails (the authority is down, slow, or answers with an error) leaves the row
pending with a later `next_attempt_at`: the hash is never dropped. An answer that does not
prove the hash (another hash, a bad signature, a certificate we do not trust) is refused,
logged as an error and kept in `last_error`, and the row is retried like a failure. When the
authority is down, the rest of the round is put off at once instead of timing out row by row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vecinos.anchoring.models import AnchorState, TimeAnchor
from vecinos.config import Settings
from vecinos.db import AtTransactionEnd

log = logging.getLogger("vecinos.anchoring")
LEASE = timedelta(minutes=10)  # a claimed row whose worker died is due again after this


@dataclass(frozen=True)
class Round:
    ids: tuple[int, ...]
    now: datetime
    settings: Settings


def stamp_due(db: Session, now: datetime, settings: Settings) -> int:
    """Claim the due rows; they are asked for once the worker's transaction commits."""
    if not settings.tsa_url:
        return 0
    if settings.tsa_certificate is None:
        log.error("VECINOS_TSA_URL is set without VECINOS_TSA_CERTIFICATE: nothing to check with")
        return 0
    ids = _claim(db, now, settings.worker_batch_size)
    if ids:
        _rounds.add(db, Round(tuple(ids), now, settings))
    return len(ids)


def _claim(db: Session, now: datetime, limit: int) -> list[int]:
    due = (TimeAnchor.state == AnchorState.PENDING.value) & (TimeAnchor.next_attempt_at <= now)
    ids = list(
        db.scalars(
            select(TimeAnchor.id)
            .where(due)
            .order_by(TimeAnchor.next_attempt_at, TimeAnchor.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        db.execute(
            update(TimeAnchor)
            .where(TimeAnchor.id.in_(ids), due)
            .values(next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
    return ids


def _ask_after_commit(session: Session, rounds: list[Round]) -> None:
    # The asking half (the authority's client: httpx, cryptography's x509, rfc3161) is loaded
    # only when a round has claimed something: most rounds claim nothing, and the worker
    # loads this job as `vecinos serve` starts.
    from vecinos.anchoring.asking import ask_round

    for round_ in rounds:
        ask_round(Session(bind=session.get_bind()), round_)


_rounds = AtTransactionEnd[Round]("anchoring_rounds", on_commit=_ask_after_commit)
