"""Rates that hold across every process of a deployment: token buckets kept in the database.

A bucket fills at `rate` tokens a second up to `burst`; `take` hands out as many of the tokens
asked for as it holds. Every process takes from the same row, in a short transaction of its
own (`FOR UPDATE` on PostgreSQL; SQLite's write lock does the same), so two workers sending
texts share the provider account's rate instead of each using all of it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from math import floor
from typing import Any, cast

from sqlalchemy import CursorResult, Float, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from vecinos.config import Settings
from vecinos.db import Base, UTCDateTime, insert_missing


class RateBucket(Base):
    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime)


KEY_LENGTH = 80  # the column's width


def bucket_key(name: str, key: str) -> str:
    """A bucket's key: readable when it fits, else the name and a digest of the rest."""
    whole = f"{name}:{key}"
    if len(whole) <= KEY_LENGTH:
        return whole
    return f"{name}:{hashlib.sha256(key.encode()).hexdigest()}"[:KEY_LENGTH]


IDLE = timedelta(days=1)


def forget_idle(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's job: buckets nobody took from for a day are full again, so their rows
    (one per sender that was ever limited) go; one that comes back starts full anyway."""
    idle = delete(RateBucket).where(RateBucket.refreshed_at < now - IDLE)
    return cast(CursorResult[Any], db.execute(idle)).rowcount


def take(
    db: Session, key: str, *, rate: float, burst: float, want: int, now: datetime
) -> tuple[int, float]:
    """Up to `want` tokens of bucket `key`, and the seconds until the next one if short.

    Runs in the caller's transaction; keep that transaction short, others wait for the row.
    """
    # Created full if missing; two processes may both try, and the second insert is ignored.
    insert_missing(db, RateBucket, [{"key": key, "tokens": burst, "refreshed_at": now}])
    bucket = db.scalars(select(RateBucket).where(RateBucket.key == key).with_for_update()).one()
    elapsed = max(0.0, (now - bucket.refreshed_at).total_seconds())
    tokens = min(burst, bucket.tokens + elapsed * rate)
    granted = max(0, min(want, floor(tokens)))
    bucket.tokens, bucket.refreshed_at = tokens - granted, now
    db.flush()
    short = granted < want
    return granted, ((1 - (bucket.tokens % 1)) / rate if short else 0.0)


def give_back(db: Session, key: str, tokens: int, *, burst: float) -> None:
    """Return tokens taken but not used, in the transaction that took them."""
    bucket = db.get(RateBucket, key)
    if bucket is not None and tokens > 0:
        bucket.tokens = min(burst, bucket.tokens + tokens)
        db.flush()
