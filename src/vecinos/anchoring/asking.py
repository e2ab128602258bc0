"""The asking half of `stamping`: for each claimed hash, ask the time-stamping authority,
check its answer and record it (or put the row off), with no transaction open while a
request is on the wire. Imported when a round has claimed rows (`stamping._ask_after_commit`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.anchoring import tsa
from vecinos.anchoring.models import AnchorState, TimeAnchor
from vecinos.anchoring.stamping import Round

log = logging.getLogger("vecinos.anchoring")


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
