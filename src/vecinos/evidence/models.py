"""Evidence: media attached to an incident, recordings that arrive in chunks, holds, retention.

The original bytes live in storage (a local directory or an S3-compatible bucket) under
`storage_key`; the database keeps what proves them: SHA-256, size, type, who sent them, when.
An image also gets a public copy, re-encoded without EXIF/GPS, under `public_key`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class MediaKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"
    AUDIO = "audio"


class MediaState(StrEnum):
    RECORDING = "recording"  # chunks are still arriving
    COMPLETE = "complete"


class Media(Base):
    __tablename__ = "evidence_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    # The incident's organization when the media arrived: who may see the original.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    # The responder's assignment whose finding this media documents, if any.
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("dispatch_offers.id", ondelete="SET NULL")
    )
    # The resident's report a photo came with (through its status link): a report holds few.
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[MediaKind] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(64))
    state: Mapped[MediaState] = mapped_column(String(12), index=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))  # of the whole original, once complete
    storage_key: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str | None] = mapped_column(String(200))  # stripped copy (images only)
    public_content_type: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_chunk_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class Chunk(Base):
    """One piece of a recording, as it arrived: hashed on arrival and chained to the one before."""

    __tablename__ = "evidence_chunks"
    __table_args__ = (UniqueConstraint("media_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_media.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)  # 0, 1, 2 …
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    chain: Mapped[str] = mapped_column(String(64))  # SHA-256(previous chain + this sha256)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    storage_key: Mapped[str] = mapped_column(String(200))


class LegalHold(Base):
    """An incident under legal hold: retention keeps it and all its media."""

    __tablename__ = "evidence_holds"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200))


class RetentionPolicy(Base):
    """How long one organization keeps media and settled incidents; None keeps them."""

    __tablename__ = "evidence_retention"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    media_days: Mapped[int | None] = mapped_column(Integer)
    incident_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
