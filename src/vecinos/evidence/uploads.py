"""Whole-file uploads: streamed to a temporary file with a size cap and hashed on arrival,
then typed from their content, stored, and written to the incident's timeline."""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vecinos.anchoring import queue as anchor_queue
from vecinos.anchoring.models import Subject
from vecinos.dispatch.models import Offer
from vecinos.errors import Conflict, InvalidInput
from vecinos.evidence import access
from vecinos.evidence.media import SNIFF_BYTES, TooLarge, public_copy, sniff
from vecinos.evidence.models import Media, MediaKind, MediaState
from vecinos.evidence.storage import Storage, undo_on_rollback
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.incidents import timeline

IMAGE_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Received:
    """A request body on local disk: where, how big, its SHA-256 and its first bytes."""

    path: Path
    size: int
    sha256: str
    head: bytes


def too_large(limit: int) -> TooLarge:
    return TooLarge(
        N_("The file is larger than the {megabytes} MB allowed."),
        params={"megabytes": limit // (1024 * 1024) or 1},
        details={"max_bytes": limit},
    )


async def receive(body: AsyncIterator[bytes], limit: int, directory: Path) -> Received:
    """Stream a body to disk, hashing as it comes; 413 as soon as it passes `limit`."""
    directory.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=directory, prefix="upload-")
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with os.fdopen(descriptor, "wb") as out:
            async for block in body:
                size += len(block)
                if size > limit:
                    raise too_large(limit)
                digest.update(block)
                if len(head) < SNIFF_BYTES:
                    head += block[: SNIFF_BYTES - len(head)]
                out.write(block)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Received(Path(name), size, digest.hexdigest(), head)


async def read_limited(body: AsyncIterator[bytes], limit: int) -> bytes:
    """A small body (a recording's chunk) in memory; 413 as soon as it passes `limit`."""
    parts, size = [], 0
    async for block in body:
        size += len(block)
        if size > limit:
            raise too_large(limit)
        parts.append(block)
    return b"".join(parts)


def keys_for(media: Media) -> tuple[str, str]:
    """Where its original and its public copy go. The random part means a key is never used
    twice, even for an id SQLite hands out again after a rollback: deleting a rolled-back
    upload's files can never touch another upload's."""
    folder = f"incidents/{media.incident_id}/media/{media.id}-{secrets.token_hex(6)}"
    return f"{folder}/original", f"{folder}/public"


def check_offer(db: Session, principal: Principal, incident_id: int, offer_id: int) -> None:
    """Media filed with a finding must name the caller's own assignment to this incident."""
    offer = db.get(Offer, offer_id)
    if offer is None or offer.incident_id != incident_id or offer.member_id != principal.member_id:
        raise InvalidInput(
            N_("That assignment is not yours for this incident."), code="offer_mismatch"
        )


def add_media(
    db: Session,
    storage: Storage,
    principal: Principal,
    incident_id: int,
    received: Received,
    *,
    now: datetime,
    offer_id: int | None = None,
) -> Media:
    """Keep an uploaded file as evidence of the incident (the caller commits)."""
    incident, organization_id = access.for_upload(db, principal, incident_id)
    if offer_id is not None:
        check_offer(db, principal, incident.id, offer_id)
    return keep(
        db,
        storage,
        incident.id,
        organization_id,
        received,
        now=now,
        uploaded_by_id=principal.member_id,
        offer_id=offer_id,
    )


def add_reporter_photo(
    db: Session,
    storage: Storage,
    incident_id: int,
    organization_id: int | None,
    received: Received,
    *,
    report_id: int,
    now: datetime,
) -> Media:
    """A resident's photo with their report: photos only, and no account behind it (the caller
    checks the report has room, `check_photo_room`, holding the report's row)."""
    if received.size and sniff(received.head)[1] is not MediaKind.PHOTO:
        raise InvalidInput(
            N_("Send a photo (JPEG, PNG or WebP)."), code="photo_only", status_code=415
        )
    return keep(db, storage, incident_id, organization_id, received, now=now, report_id=report_id)


def check_photo_room(db: Session, report_id: int, max_photos: int) -> None:
    """409 once the report holds `max_photos` photos."""
    held = db.scalar(select(func.count()).select_from(Media).where(Media.report_id == report_id))
    if (held or 0) >= max_photos:
        raise Conflict(
            N_("This report already has {max} photos."),
            params={"max": max_photos},
            code="too_many_photos",
        )


def keep(
    db: Session,
    storage: Storage,
    incident_id: int,
    organization_id: int | None,
    received: Received,
    *,
    now: datetime,
    uploaded_by_id: int | None = None,
    offer_id: int | None = None,
    report_id: int | None = None,
) -> Media:
    """Store the original and its public copy, and put its hash on the incident's timeline."""
    if received.size == 0:
        raise too_small()
    content_type, kind = sniff(received.head)
    if kind is MediaKind.PHOTO and received.size > IMAGE_MAX_BYTES:
        raise too_large(IMAGE_MAX_BYTES)  # a photo is decoded in memory for its public copy
    copy = public_copy(received.path.read_bytes()) if kind is MediaKind.PHOTO else None
    media = Media(
        incident_id=incident_id,
        organization_id=organization_id,
        uploaded_by_id=uploaded_by_id,
        offer_id=offer_id,
        report_id=report_id,
        kind=kind,
        content_type=content_type,
        state=MediaState.COMPLETE,
        size=received.size,
        sha256=received.sha256,
        storage_key="",
        created_at=now,
        completed_at=now,
    )
    db.add(media)
    db.flush()
    original, public = keys_for(media)
    media.storage_key = original
    storage.put_file(original, received.path)
    undo_on_rollback(db, storage, original)
    if copy is not None:
        media.public_key = public
        storage.put_bytes(public, copy[0])
        undo_on_rollback(db, storage, public)
        media.public_content_type = copy[1]
    payload = added_payload(media)
    if report_id is not None:
        payload["report_id"] = report_id
    timeline.append(db, incident_id, "media_added", payload, actor_id=uploaded_by_id, now=now)
    anchor_media(db, media, now=now)
    return media


def anchor_media(db: Session, media: Media, *, now: datetime) -> None:
    """The original's own SHA-256 gets a time-stamp too: `openssl ts -verify -data` checks
    the file itself against it, with nothing of ours in between."""
    assert media.sha256 is not None
    anchor_queue.enqueue(db, media.incident_id, Subject.MEDIA, media.id, media.sha256, now=now)


def added_payload(media: Media) -> dict[str, object]:
    return {
        "media_id": media.id,
        "offer_id": media.offer_id,
        "kind": media.kind,
        "content_type": media.content_type,
        "size": media.size,
        "sha256": media.sha256,
    }


def too_small() -> TooLarge:
    return TooLarge(N_("The file is empty."), code="media_empty", status_code=422)
