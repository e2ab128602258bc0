"""The worker's job: ask the time-stamping authority for every hash waiting in the queue.

A request that fails (the authority is down, slow, or answers with an error) leaves the row
pending with a later `next_attempt_at`: the hash is never dropped. An answer that does not
prove the hash (another hash, a bad signature, a certificate we do not trust) is refused,
logged as an error and kept in `last_error`, and the row is retried like a failure. When the
authority is down, the rest of the round is put off at once instead of timing out row by row.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.anchoring import tsa
from vecinos.anchoring.models import AnchorState, TimeAnchor
from vecinos.config import Settings

log = logging.getLogger("vecinos.anchoring")


def stamp_due(db: Session, now: datetime, settings: Settings) -> int:
    """Time-stamp the due rows; returns how many got their token."""
    if not settings.tsa_url:
        return 0
    if settings.tsa_certificate is None:
        log.error("VECINOS_TSA_URL is set without VECINOS_TSA_CERTIFICATE: nothing to check with")
        return 0
    trust = tsa.load_trust_file(settings.tsa_certificate)
    due = db.scalars(
        select(TimeAnchor)
        .where(TimeAnchor.state == AnchorState.PENDING.value, TimeAnchor.next_attempt_at <= now)
        .order_by(TimeAnchor.next_attempt_at, TimeAnchor.id)
        .limit(settings.worker_batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    stamped = 0
    with tsa.http_client(settings.outbound_timeout_seconds) as client:
        for position, anchor in enumerate(due):
            try:
                stamp(client, anchor, trust, settings.tsa_url)
                stamped += 1
            except tsa.TsaUnavailable as exc:
                for waiting in due[position:]:
                    put_off(waiting, f"unavailable: {exc}", now=now, settings=settings)
                break
            except tsa.TokenRefused as exc:
                log.error("time-stamp for %s %s refused: %s", anchor.subject, anchor.ref, exc)
                put_off(anchor, f"refused: {exc}", now=now, settings=settings)
    return stamped


def stamp(client: httpx.Client, anchor: TimeAnchor, trust: tsa.Trust, url: str) -> None:
    """Ask, check, keep: the token is stored only once it proves this very hash."""
    request, nonce = tsa.build_request(anchor.sha256)
    answer = tsa.ask(client, url, request)
    response = tsa.check(answer, anchor.sha256, trust, nonce=nonce)
    anchor.token, anchor.stamped_at = answer, tsa.time_of(response)
    anchor.state, anchor.last_error = AnchorState.STAMPED, None
    anchor.attempts += 1


def put_off(anchor: TimeAnchor, error: str, *, now: datetime, settings: Settings) -> None:
    """Try again later, each time twice as late, up to the configured ceiling."""
    anchor.attempts += 1
    delay = min(
        settings.tsa_retry_base_seconds * 2 ** (anchor.attempts - 1),
        settings.tsa_retry_max_seconds,
    )
    anchor.next_attempt_at = now + timedelta(seconds=delay)
    anchor.last_error = error[:300]
