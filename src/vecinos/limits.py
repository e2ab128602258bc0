"""Rates that hold across every process of a deployment: token buckets kept in the database.

A bucket fills at `rate` tokens a second up to `burst`; `take` hands out as many of the tokens
asked for as it holds. Every process takes from the same row, in a short transaction of its
own (`FOR UPDATE` on PostgreSQL; SQLite's write lock does the same), so two workers sending
texts share the provider account's rate instead of each using all of it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import cache
from math import floor
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Float,
    Insert,
    String,
    Table,
    bindparam,
    case,
    delete,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from vecinos.config import Settings
from vecinos.db import Base, UTCDateTime


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
    connection = db.connection()
    params = {"bucket": key, "burst": burst, "now": now}
    connection.execute(_create_full(connection.dialect.name), params)
    held, refreshed_at = connection.execute(_HELD, params).one()
    elapsed = max(0.0, (now - refreshed_at).total_seconds())
    tokens = min(burst, held + elapsed * rate)
    granted = max(0, min(want, floor(tokens)))
    left = tokens - granted
    connection.execute(_SET, {**params, "tokens": left})
    short = granted < want
    return granted, ((1 - (left % 1)) / rate if short else 0.0)


def give_back(db: Session, key: str, tokens: int, *, burst: float) -> None:
    """Return tokens taken but not used, in the transaction that took them."""
    if tokens > 0:
        db.connection().execute(_GIVE_BACK, {"bucket": key, "tokens": tokens, "burst": burst})


# Constant Core statements: compiled once, where ORM loads and flushes were most of a take's CPU
# (and a take is in every public report's path).
_BUCKETS = cast(Table, RateBucket.__table__)
_HELD = (
    select(_BUCKETS.c.tokens, _BUCKETS.c.refreshed_at)
    .where(_BUCKETS.c.key == bindparam("bucket"))
    .with_for_update()
)
_SET = (
    update(_BUCKETS)
    .where(_BUCKETS.c.key == bindparam("bucket"))
    .values(tokens=bindparam("tokens"), refreshed_at=bindparam("now"))
)
_GIVEN, _BURST = bindparam("tokens", type_=Float()), bindparam("burst", type_=Float())
_GIVE_BACK = (
    update(_BUCKETS)
    .where(_BUCKETS.c.key == bindparam("bucket"))
    .values(
        tokens=case((_BUCKETS.c.tokens + _GIVEN > _BURST, _BURST), else_=_BUCKETS.c.tokens + _GIVEN)
    )
)


@cache
def _create_full(dialect_name: str) -> Insert:
    """The bucket, created full unless it is there (the loser of two processes' race too)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement: Insert = (
        dialect.insert(_BUCKETS)
        .values(key=bindparam("bucket"), tokens=bindparam("burst"), refreshed_at=bindparam("now"))
        .on_conflict_do_nothing()
    )
    return statement
