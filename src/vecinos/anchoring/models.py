"""The time-stamp queue and its tokens: one row per hash to anchor, written in the same
transaction as the hash itself, so a time-stamping authority that is down loses nothing.

`subject` says what the hash is: `event` (a timeline event's hash, the chain's head at that
event; `ref` is its seq) or `media` (an original's SHA-256; `ref` is the media id). The row
keeps no foreign key to either: the timeline is append-only and the queue must not hold up
retention, which deletes whole incidents (and their anchors with them).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class Subject(StrEnum):
    EVENT = "event"
    MEDIA = "media"


class AnchorState(StrEnum):
    PENDING = "pending"  # waiting for (another) try
    STAMPED = "stamped"  # the token is here and was checked on arrival


class TimeAnchor(Base):
    __tablename__ = "time_anchors"
    __table_args__ = (
        UniqueConstraint("incident_id", "subject", "ref"),
        # The worker's question: pending rows due now, oldest first.
        Index(
            "ix_time_anchors_due",
            "next_attempt_at",
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[Subject] = mapped_column(String(8))
    ref: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[AnchorState] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The authority's whole answer (TimeStampResp, DER), as `openssl ts -verify -in` reads it.
    token: Mapped[bytes | None] = mapped_column(LargeBinary)
    stamped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the token's genTime
    last_error: Mapped[str | None] = mapped_column(String(300))
