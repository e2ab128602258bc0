"""What the evidence API accepts and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from vecinos.evidence.models import Media, MediaKind
from vecinos.evidence.recording import Status


class MediaOut(BaseModel):
    id: int
    incident_id: int
    kind: MediaKind
    content_type: str
    state: str
    size: int
    sha256: str | None
    created_at: datetime
    uploaded_by_id: int | None
    offer_id: int | None  # the assignment whose finding it documents
    public_copy_url: str | None  # images only: re-encoded without EXIF/GPS
    original_url: str | None  # only for those who may see originals

    @classmethod
    def of(cls, media: Media, *, may_see_original: bool) -> MediaOut:
        return cls(
            id=media.id,
            incident_id=media.incident_id,
            kind=MediaKind(media.kind),
            content_type=media.content_type,
            state=media.state,
            size=media.size,
            sha256=media.sha256,
            created_at=media.created_at,
            uploaded_by_id=media.uploaded_by_id,
            offer_id=media.offer_id,
            public_copy_url=f"/api/media/{media.id}/public" if media.public_key else None,
            original_url=f"/api/media/{media.id}/original" if may_see_original else None,
        )


class RecordingIn(BaseModel):
    kind: Literal["audio", "video"] = "video"


class RecordingStatus(BaseModel):
    media_id: int
    state: str
    chunks: int
    last_seq: int
    last_sha256: str | None
    chain: str

    @classmethod
    def of(cls, status: Status) -> RecordingStatus:
        return cls(
            media_id=status.media_id,
            state=status.state,
            chunks=status.chunks,
            last_seq=status.last_seq,
            last_sha256=status.last_sha256,
            chain=status.chain,
        )


class ChunkOut(BaseModel):
    media_id: int
    seq: int
    size: int
    sha256: str
    chain: str


class HoldIn(BaseModel):
    reason: str = Field(min_length=3, max_length=200)


class HoldOut(BaseModel):
    incident_id: int
    placed_at: datetime
    reason: str


class RetentionIn(BaseModel):
    media_days: int | None = Field(None, ge=1, le=36500)
    incident_days: int | None = Field(None, ge=1, le=36500)


class RetentionOut(RetentionIn):
    organization_id: int
