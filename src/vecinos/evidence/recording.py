"""Record-and-upload: a browser recording arrives in numbered chunks while it goes on.

Chunk n names the SHA-256 of chunk n-1 (`previous`), so the server and the phone agree on
one unbroken sequence; the server hashes every chunk on arrival and chains it
(`chain_n = SHA-256(chain_{n-1} + sha256_n)`). A chunk that repeats or skips ahead is refused
with a clear 409 and changes nothing; after a dropped connection the phone asks for the
status (the last chunk held) and goes on from the next. Finishing — or the worker sealing a
recording whose phone went silent — writes the whole file's hash to the incident timeline.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.errors import Conflict, InvalidInput, NotFound
from vecinos.evidence import access
from vecinos.evidence.media import sniff_recording
from vecinos.evidence.models import Chunk, Media, MediaKind, MediaState
from vecinos.evidence.storage import Storage, storage_for
from vecinos.evidence.uploads import anchor_media, keys_for
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.incidents import timeline

GENESIS = "0" * 64


@dataclass(frozen=True)
class Status:
    media_id: int
    state: MediaState
    chunks: int
    last_seq: int  # -1 before the first chunk
    last_sha256: str | None
    chain: str


def start(
    db: Session, principal: Principal, incident_id: int, kind: MediaKind, *, now: datetime
) -> Media:
    incident, organization_id = access.for_upload(db, principal, incident_id)
    media = Media(
        incident_id=incident.id,
        organization_id=organization_id,
        uploaded_by_id=principal.member_id,
        kind=kind,
        content_type="",
        state=MediaState.RECORDING,
        size=0,
        storage_key="",
        created_at=now,
        last_chunk_at=now,
    )
    db.add(media)
    db.flush()
    media.storage_key, _ = keys_for(media)
    payload = {"media_id": media.id, "kind": kind.value}
    timeline.append(
        db, incident.id, "recording_started", payload, actor_id=principal.member_id, now=now
    )
    return media


def own_recording(db: Session, principal: Principal, media_id: int, *, lock: bool = False) -> Media:
    """The caller's own recording (only who started it sends its chunks)."""
    query = select(Media).where(Media.id == media_id)
    media = db.scalars(query.with_for_update() if lock else query).first()
    if media is None or media.uploaded_by_id != principal.member_id:
        raise NotFound(N_("No such recording."), code="recording_not_found")
    return media


def chunks_of(db: Session, media_id: int) -> list[Chunk]:
    return list(db.scalars(select(Chunk).where(Chunk.media_id == media_id).order_by(Chunk.seq)))


def status(db: Session, media: Media) -> Status:
    last = db.scalars(
        select(Chunk).where(Chunk.media_id == media.id).order_by(Chunk.seq.desc()).limit(1)
    ).first()
    return Status(
        media_id=media.id,
        state=MediaState(media.state),
        chunks=0 if last is None else last.seq + 1,
        last_seq=-1 if last is None else last.seq,
        last_sha256=None if last is None else last.sha256,
        chain=GENESIS if last is None else last.chain,
    )


def add_chunk(
    db: Session,
    storage: Storage,
    media: Media,
    seq: int,
    data: bytes,
    *,
    previous: str | None,
    claimed_sha256: str | None,
    now: datetime,
) -> Chunk:
    """Accept chunk `seq` if it is the next one and names the right previous hash."""
    if media.state != MediaState.RECORDING:
        raise Conflict(N_("This recording is already finished."), code="recording_finished")
    sha = hashlib.sha256(data).hexdigest()
    if claimed_sha256 is not None and claimed_sha256.lower() != sha:
        raise InvalidInput(
            N_("The chunk was damaged on the way; send it again."), code="chunk_corrupt"
        )
    held = status(db, media)
    _check_order(db, media, held, seq, sha, previous)
    if not data:
        raise InvalidInput(N_("The chunk is empty."), code="chunk_empty")
    if seq == 0:
        media.content_type = sniff_recording(data, MediaKind(media.kind))
    chunk = Chunk(
        media_id=media.id,
        seq=seq,
        size=len(data),
        sha256=sha,
        chain=hashlib.sha256((held.chain + sha).encode()).hexdigest(),
        received_at=now,
        storage_key=f"{media.storage_key}.chunks/{seq:08d}",
    )
    storage.put_bytes(chunk.storage_key, data)
    db.add(chunk)
    media.size += len(data)
    media.last_chunk_at = now
    db.flush()
    return chunk


def _check_order(
    db: Session, media: Media, held: Status, seq: int, sha: str, previous: str | None
) -> None:
    expected = held.last_seq + 1
    details = {"expected_seq": expected, "last_seq": held.last_seq, "last_sha256": held.last_sha256}
    if seq < expected:
        stored = db.scalars(select(Chunk).where(Chunk.media_id == media.id, Chunk.seq == seq)).one()
        same = stored.sha256 == sha
        raise Conflict(
            N_("Chunk {seq} was already received; nothing was changed.")
            if same
            else N_("Chunk {seq} was already received with other content; it was kept as it was."),
            params={"seq": seq},
            code="chunk_repeated" if same else "chunk_conflict",
            details=details,
        )
    if seq > expected:
        raise Conflict(
            N_("Chunk {seq} came before chunk {expected}; send chunk {expected} first."),
            params={"seq": seq, "expected": expected},
            code="chunk_out_of_order",
            details=details,
        )
    if (previous or GENESIS).lower() != (held.last_sha256 or GENESIS):
        raise Conflict(
            N_("Chunk {seq} does not follow the chunk we hold before it."),
            params={"seq": seq},
            code="chunk_chain_broken",
            details=details,
        )


def finish(
    db: Session,
    storage: Storage,
    media: Media,
    *,
    actor_id: int | None,
    now: datetime,
    reason: str = "finished",
) -> Media:
    """Join the chunks into the original, hash it, and write it to the timeline."""
    if media.state != MediaState.RECORDING:
        raise Conflict(N_("This recording is already finished."), code="recording_finished")
    chunks = chunks_of(db, media.id)
    if not chunks:
        raise InvalidInput(N_("Nothing was recorded."), code="recording_empty")
    digest = hashlib.sha256()
    with tempfile.TemporaryDirectory() as folder:
        joined = Path(folder) / "original"
        with joined.open("wb") as out:
            for chunk in chunks:
                for block in storage.read(chunk.storage_key):
                    digest.update(block)
                    out.write(block)
        storage.put_file(media.storage_key, joined)
    media.sha256 = digest.hexdigest()
    media.state = MediaState.COMPLETE
    media.completed_at = now
    payload = {
        "media_id": media.id,
        "kind": media.kind,
        "content_type": media.content_type,
        "size": media.size,
        "sha256": media.sha256,
        "chunks": len(chunks),
        "chain": chunks[-1].chain,
        "how": reason,
    }
    timeline.append(
        db, media.incident_id, "recording_finished", payload, actor_id=actor_id, now=now
    )
    anchor_media(db, media, now=now)
    return media


def original_blocks(db: Session, storage: Storage, media: Media) -> Iterator[bytes]:
    """The original's bytes: the stored file once complete, else the chunks held so far (the
    original is written only when the recording ends). 404 while there is nothing at all."""
    if media.state == MediaState.COMPLETE:
        return storage.read(media.storage_key)
    chunks = chunks_of(db, media.id)
    if not chunks:
        raise NotFound(N_("Nothing has been recorded yet."), code="recording_empty")
    return (block for chunk in chunks for block in storage.read(chunk.storage_key))


def seal_idle_recordings(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's job: a recording whose phone went silent is sealed as it is."""
    cutoff = now - timedelta(minutes=settings.evidence_recording_idle_minutes)
    idle = db.scalars(
        select(Media)
        .where(Media.state == MediaState.RECORDING, Media.last_chunk_at <= cutoff)
        .order_by(Media.id)
        .limit(settings.worker_batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    storage, sealed = storage_for(settings), 0
    for media in idle:
        if not chunks_of(db, media.id):
            continue  # nothing arrived: there is nothing to seal
        finish(db, storage, media, actor_id=None, now=now, reason="sealed_when_idle")
        sealed += 1
    return sealed
