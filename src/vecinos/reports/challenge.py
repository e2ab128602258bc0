"""Proof of work on public reports (ALTCHA): each report costs its sender some CPU.

A device token is made up by the client, so a per-source limit alone stops nobody who makes
a new token per request. A solved challenge cannot be made up: the server hands out a signed
challenge (`issue`), the phone searches for the number behind its hash, and the report carries
the answer. The server checks it in one hash and one HMAC (`verify`) and spends it with the
report it bought (`spend`, in the report's own transaction), so one solution buys one report.

Nothing about the sender is involved: no cookie, no address, no third party. The search space
grows with the load (`Pressure`), so a calm evening costs a phone a fraction of a second and a
flood costs the flooder a hundred times more per report.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from altcha import v1 as altcha
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.crypto import blind_index
from vecinos.errors import AppError, Conflict, InvalidInput
from vecinos.i18n import N_
from vecinos.reports.models import SpentChallenge

ALGORITHM: Final = "SHA-256"
MAX_PROOF_CHARS = 2000  # a real proof is about 400 characters of base64


class ProofRequired(AppError):
    status_code = 403
    code = "proof_required"


class Pressure:
    """Public reports a minute, as a decaying count: how hard the next challenge should be.

    Per process: each web process sees its share of a flood and raises its own price.
    """

    HALF_LIFE = 60.0  # seconds

    def __init__(self) -> None:
        self._count = 0.0
        self._at: float | None = None
        self._lock = threading.Lock()

    def note(self, now: datetime) -> None:
        with self._lock:
            self._count = self._decayed(now.timestamp()) + 1

    def per_minute(self, now: datetime) -> float:
        with self._lock:
            # With a one-minute half-life, a steady rate of r a minute settles at r / ln 2.
            return self._decayed(now.timestamp()) * math.log(2)

    def _decayed(self, t: float) -> float:
        """The count decayed to `t` (kept, so time is never counted twice)."""
        if self._at is not None and t > self._at:
            self._count *= 0.5 ** ((t - self._at) / self.HALF_LIFE)
        self._at = t if self._at is None else max(self._at, t)
        return float(self._count)


def work(settings: Settings, per_minute: float) -> int:
    """The search space at this load: calm below the threshold, growing in proportion above."""
    factor = max(1.0, per_minute / settings.report_challenge_calm_per_minute)
    return min(settings.report_challenge_work_max, round(settings.report_challenge_work * factor))


@dataclass(frozen=True)
class Challenge:
    algorithm: str
    challenge: str
    maxnumber: int
    salt: str
    signature: str
    expires_at: datetime


def issue(settings: Settings, *, now: datetime, max_number: int) -> Challenge:
    expires = now + timedelta(minutes=settings.report_challenge_minutes)
    made = altcha.create_challenge(
        algorithm=ALGORITHM,
        max_number=max_number,
        salt_length=12,
        hmac_key=_key(settings),
        salt="",
        number=None,
        expires=expires,
        params=None,
    )
    return Challenge(
        made.algorithm, made.challenge, made.max_number, made.salt, made.signature, expires
    )


@dataclass(frozen=True)
class Solved:
    """A proof that checked out: the challenge it solves, and until when it may be used."""

    challenge: str
    expires_at: datetime


def verify(settings: Settings, proof: str | None, *, now: datetime) -> Solved:
    """The proof's challenge, or 403 `proof_required` / 400 `proof_invalid` / `proof_expired`."""
    if not proof:
        raise ProofRequired(
            N_("This report needs a solved challenge (GET /api/reports/challenge); try again.")
        )
    payload = _payload(proof)
    if payload is None:
        raise _invalid()
    expires_at = _expiry(payload)
    longest = timedelta(minutes=settings.report_challenge_minutes)
    if expires_at is None or expires_at > now + longest:
        raise _invalid()  # every challenge we sign carries an expiry within the window
    if expires_at <= now:
        raise InvalidInput(
            N_("The challenge has expired; the page will fetch a new one."),
            code="proof_expired",
            status_code=400,
        )
    # The library compares with time.time(); the expiry is checked above against our clock.
    valid, _ = altcha.verify_solution(payload, _key(settings), check_expires=False)
    if not valid:
        raise _invalid()
    return Solved(payload.challenge, expires_at)


def spend(db: Session, solved: Solved) -> None:
    """Mark the challenge used, in the transaction that stores its report; 409 if it was."""
    connection = db.connection()
    if connection.execute(_SPENT, {"challenge": solved.challenge}).first() is not None:
        raise Conflict(
            N_("This challenge was already used for a report; the page will fetch a new one."),
            code="proof_used",
        )
    connection.execute(_SPEND, {"challenge": solved.challenge, "expires_at": solved.expires_at})


def forget_expired(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's sweep: an expired challenge is refused anyway, so its record can go."""
    gone = db.execute(delete(SpentChallenge).where(SpentChallenge.expires_at <= now))
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]


def _key(settings: Settings) -> str:
    # A key of its own, derived from the deployment secret: a challenge's HMAC says nothing
    # about any other keyed hash of ours.
    return blind_index(settings.secret, "report-challenge", "hmac-key")


def _payload(proof: str) -> altcha.Payload | None:
    if len(proof) > MAX_PROOF_CHARS:
        return None
    try:
        payload = altcha.Payload.from_base64(proof)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    fields = (payload.algorithm, payload.challenge, payload.salt, payload.signature)
    if payload.algorithm != ALGORITHM or not all(isinstance(f, str) for f in fields):
        return None
    if not isinstance(payload.number, int) or isinstance(payload.number, bool):
        return None
    return payload


def _expiry(payload: altcha.Payload) -> datetime | None:
    found = altcha.extract_params(payload.to_dict()).get("expires")
    if not found or len(found) != 1 or not found[0].isdigit() or len(found[0]) > 12:
        return None
    return datetime.fromtimestamp(int(found[0]), UTC)


def _invalid() -> InvalidInput:
    return InvalidInput(
        N_("The challenge answer is not right; the page will try again."),
        code="proof_invalid",
        status_code=400,
    )


_SPENT = select(SpentChallenge.challenge).where(SpentChallenge.challenge == bindparam("challenge"))
_SPEND = insert(SpentChallenge)
