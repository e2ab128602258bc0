"""The worker's job: ask the time-stamping authority for every hash waiting in the queue.

Two phases, as for alert deliveries: the job claims the due rows in the worker's short
transaction (a lease: a worker that dies mid-way leaves them due again later), and once that
committed, the asking happens with no transaction open — on SQLite an open transaction holds
the one write lock, and reports must never wait for a distant authority. Each answer is then
recorded in a short transaction of its own.

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

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vecinos.anchoring import tsa
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
    for round_ in rounds:
        ask_round(Session(bind=session.get_bind()), round_)


_rounds = AtTransactionEnd[Round]("anchoring_rounds", on_commit=_ask_after_commit)


def ask_round(db: Session, round_: Round) -> int:
    """Ask for each claimed hash, recording each answer as it comes; returns how many got
    their token."""
    assert round_.settings.tsa_certificate is not None
    trust = tsa.load_trust_file(round_.settings.tsa_certificate)
    wanted = db.execute(
        select(TimeAnchor.id, TimeAnchor.sha256).where(TimeAnchor.id.in_(round_.ids))
    ).all()
    db.rollback()  # no transaction stays open while a request is on the wire
    stamped = 0
    try:
        with tsa.http_client(round_.settings.outbound_timeout_seconds) as client:
            for position, (anchor_id, digest) in enumerate(wanted):
                try:
                    answer, when = ask(client, digest, trust, round_.settings.tsa_url)
                except tsa.TsaUnavailable as exc:
                    rest = [i for i, _ in wanted[position:]]
                    _put_off(db, rest, f"unavailable: {exc}", round_)
                    break
                except tsa.TokenRefused as exc:
                    log.error("time-stamp for anchor %s refused: %s", anchor_id, exc)
                    _put_off(db, [anchor_id], f"refused: {exc}", round_)
                    continue
                _keep(db, anchor_id, answer, when)
                stamped += 1
    finally:
        db.close()
    return stamped


def ask(client: httpx.Client, digest: str, trust: tsa.Trust, url: str) -> tuple[bytes, datetime]:
    """Ask, check: an answer comes back only once it proves this very hash."""
    request, nonce = tsa.build_request(digest)
    answer = tsa.ask(client, url, request)
    return answer, tsa.time_of(tsa.check(answer, digest, trust, nonce=nonce))


def _keep(db: Session, anchor_id: int, answer: bytes, when: datetime) -> None:
    with db.begin():
        anchor = db.get(TimeAnchor, anchor_id)
        if anchor is not None:  # retention may have deleted the incident meanwhile
            anchor.token, anchor.stamped_at = answer, when
            anchor.state, anchor.last_error = AnchorState.STAMPED, None
            anchor.attempts += 1


def _put_off(db: Session, ids: list[int], error: str, round_: Round) -> None:
    """Try again later, each time twice as late, up to the configured ceiling."""
    settings = round_.settings
    with db.begin():
        for anchor in db.scalars(select(TimeAnchor).where(TimeAnchor.id.in_(ids))):
            anchor.attempts += 1
            delay = min(
                settings.tsa_retry_base_seconds * 2 ** (anchor.attempts - 1),
                settings.tsa_retry_max_seconds,
            )
            anchor.next_attempt_at = round_.now + timedelta(seconds=delay)
            anchor.last_error = error[:300]
