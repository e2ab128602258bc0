"""The legal export: one zip with everything about an incident, signed by the deployment.

    incident.json    the incident as the database holds it (exact location included: legal only)
    timeline.json    every timeline event with its hash chain
    findings.json    what responders reported from the scene, with their observer reports
    media.json       each media item: type, size, SHA-256, who sent it, its chunks' hash chain
    media/…          the originals, byte for byte
    c2pa/…           photos with C2PA content credentials (when configured): copies, not originals
    timestamps.json  the RFC 3161 time-stamp of each event's hash and each original's SHA-256
    timestamps/…     the time-stamping authority's answers (DER), as `openssl ts -verify` reads them
    report.pdf       the same for a reader: summary, observer reports, timeline, media, checks
    manifest.json    path, size and SHA-256 of every file above
    manifest.sig     Ed25519 signature of manifest.json (base64)

`verify.py` checks a bundle against the deployment's public key, and its time-stamps against
the authority's certificate: they hold even against someone who holds the deployment's key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Member
from vecinos.anchoring.models import Subject, TimeAnchor
from vecinos.dispatch import observer
from vecinos.dispatch.models import Offer
from vecinos.evidence.credentials import IMAGE_TYPES, Credentials, credentialed
from vecinos.evidence.models import Chunk, Media, MediaState
from vecinos.evidence.report import ReportInput, render_report
from vecinos.evidence.signing import key_id
from vecinos.evidence.storage import Storage
from vecinos.incidents import timeline
from vecinos.incidents.models import Incident, TimelineEvent

FORMAT = "vecinos-evidence-bundle/2"  # /2: time-stamps, observer reports, report.pdf
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
TIMESTAMPS, REPORT = "timestamps.json", "report.pdf"
EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "video/mp4": "mp4",
    "video/quicktime": "mov", "video/webm": "webm", "video/x-matroska": "mkv",
    "audio/webm": "webm", "audio/mp4": "m4a", "audio/mpeg": "mp3", "audio/ogg": "ogg",
    "audio/x-wav": "wav", "audio/x-flac": "flac", "audio/x-matroska": "mka",
}  # fmt: skip


def to_json(value: Any) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=_plain).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return str(value)


def row_dict(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def event_dict(event: TimelineEvent) -> dict[str, Any]:
    return {
        "incident_id": event.incident_id,
        "seq": event.seq,
        "kind": event.kind,
        "payload": event.payload,
        "actor_id": event.actor_id,
        "at": _plain(event.at),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def findings(db: Session, incident_id: int) -> list[dict[str, Any]]:
    reports = observer.reports_of(db, incident_id)
    query = (
        select(Offer, Member.display_name)
        .join(Member, Member.id == Offer.member_id)
        .where(Offer.incident_id == incident_id, Offer.finding.is_not(None))
        .order_by(Offer.reported_at, Offer.id)
    )
    found = []
    for offer, name in db.execute(query):
        media = finding_media(db, offer)
        found.append(
            {
                "offer_id": offer.id,
                "responder_id": offer.member_id,
                "responder": name,
                "finding": offer.finding,
                "note": offer.finding_note,
                "on_scene_at": offer.on_scene_at,
                "reported_at": offer.reported_at,
                "media_ids": [m.id for m in media],
                "media": [{"id": m.id, "kind": m.kind, "sha256": m.sha256} for m in media],
                "observer_report": observer.facts(reports[offer.id])
                if offer.id in reports
                else None,
            }
        )
    return found


def finding_media(db: Session, offer: Offer) -> list[Media]:
    """What documents a finding: media sent for that assignment, and media the same responder
    sent for the incident without naming one (a recording started in the responder app)."""
    query = select(Media).where(
        Media.incident_id == offer.incident_id,
        or_(
            Media.offer_id == offer.id,
            and_(Media.offer_id.is_(None), Media.uploaded_by_id == offer.member_id),
        ),
    )
    return list(db.scalars(query.order_by(Media.id)))


def timestamp_entries(
    db: Session, incident_id: int, media_ids: set[int]
) -> list[tuple[dict[str, Any], bytes | None]]:
    """Each hash of the incident with its time-stamp file (None while still pending); the
    time-stamps of media that retention has deleted since stay out, like the media."""
    anchors = [
        anchor
        for anchor in db.scalars(
            select(TimeAnchor)
            .where(TimeAnchor.incident_id == incident_id)
            .order_by(TimeAnchor.subject, TimeAnchor.ref)
        )
        if anchor.subject != Subject.MEDIA or anchor.ref in media_ids
    ]
    return [
        (
            {
                "subject": anchor.subject,
                "ref": anchor.ref,
                "sha256": anchor.sha256,
                "time": anchor.stamped_at,
                "file": f"timestamps/{anchor.subject}-{anchor.ref:04d}.tsr"
                if anchor.token
                else None,
            },
            anchor.token,
        )
        for anchor in anchors
    ]


class _Writer:
    """Adds files to the zip and keeps their manifest entries."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.entries: list[dict[str, Any]] = []

    def add_bytes(self, path: str, data: bytes) -> str:
        self.archive.writestr(path, data, compress_type=zipfile.ZIP_DEFLATED)
        digest = hashlib.sha256(data).hexdigest()
        self.entries.append({"path": path, "size": len(data), "sha256": digest})
        return digest

    def add_stream(self, path: str, blocks: Any) -> str:
        digest, size = hashlib.sha256(), 0
        with self.archive.open(path, "w", force_zip64=True) as out:
            for block in blocks:
                digest.update(block)
                size += len(block)
                out.write(block)
        self.entries.append({"path": path, "size": size, "sha256": digest.hexdigest()})
        return digest.hexdigest()


def _media_blocks(db: Session, storage: Storage, media: Media) -> Any:
    if media.state == MediaState.COMPLETE:
        yield from storage.read(media.storage_key)
        return
    chunks = select(Chunk.storage_key).where(Chunk.media_id == media.id).order_by(Chunk.seq)
    for key in db.scalars(chunks):  # a recording still under way: the chunks held so far
        yield from storage.read(key)


def _media_entry(db: Session, media: Media, path: str | None) -> dict[str, Any]:
    entry = row_dict(media)
    for internal in ("storage_key", "public_key", "public_content_type"):
        entry.pop(internal)
    entry["file"] = path
    chunks = db.scalars(select(Chunk).where(Chunk.media_id == media.id).order_by(Chunk.seq))
    entry["chunks"] = [
        {"seq": c.seq, "size": c.size, "sha256": c.sha256, "chain": c.chain, "at": c.received_at}
        for c in chunks
    ]
    return entry


def _credentialable(media: Media) -> bool:
    return media.state == MediaState.COMPLETE and media.content_type in IMAGE_TYPES


def _add_credentialed(
    writer: _Writer, storage: Storage, media: Media, credentials: Credentials
) -> str:
    """A copy of the photo with C2PA content credentials; the original stays as it is."""
    original = b"".join(storage.read(media.storage_key))
    facts = {
        "media_id": media.id,
        "incident_id": media.incident_id,
        "original_sha256": media.sha256,
        "received_at": _plain(media.created_at),
    }
    path = f"c2pa/{media.id}.{IMAGE_TYPES[media.content_type]}"
    writer.add_bytes(path, credentialed(original, media.content_type, facts, credentials))
    return path


def write_bundle(
    db: Session,
    storage: Storage,
    key: Ed25519PrivateKey,
    incident: Incident,
    target: Path | BinaryIO,
    *,
    now: datetime,
    language: str = "en",
    credentials: Credentials | None = None,
) -> dict[str, Any]:
    """Write the signed bundle of one incident to `target`; returns its manifest."""
    events = timeline.events_of(db, incident.id)
    media_rows = db.scalars(
        select(Media).where(Media.incident_id == incident.id).order_by(Media.id)
    ).all()
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        writer = _Writer(archive)
        writer.add_bytes("incident.json", to_json(row_dict(incident)))
        writer.add_bytes("timeline.json", to_json([event_dict(e) for e in events]))
        found = findings(db, incident.id)
        writer.add_bytes("findings.json", to_json(found))
        entries = []
        for media in media_rows:
            path = None
            if media.size:
                path = f"media/{media.id}.{EXTENSIONS.get(media.content_type, 'bin')}"
                writer.add_stream(path, _media_blocks(db, storage, media))
            entry = _media_entry(db, media, path)
            if credentials is not None and _credentialable(media):
                entry["c2pa_file"] = _add_credentialed(writer, storage, media, credentials)
            entries.append(entry)
        writer.add_bytes("media.json", to_json(entries))
        stamps = timestamp_entries(db, incident.id, {m.id for m in media_rows})
        for stamp, token in stamps:
            if token is not None:
                writer.add_bytes(stamp["file"], token)
        writer.add_bytes(TIMESTAMPS, to_json([stamp for stamp, _ in stamps]))
        head = events[-1].hash if events else timeline.GENESIS
        summary = ReportInput(
            incident=row_dict(incident),
            events=[event_dict(e) for e in events],
            findings=found,
            media=entries,
            stamps=[stamp for stamp, _ in stamps],
            timeline_head=head,
            key_id=key_id(key.public_key()),
            created_at=now,
        )
        writer.add_bytes(REPORT, render_report(summary, language))
        manifest = {
            "format": FORMAT,
            "incident_id": incident.id,
            "created_at": _plain(now),
            "key_id": key_id(key.public_key()),
            "timeline_head": head,
            "files": writer.entries,
        }
        manifest_bytes = to_json(manifest)
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, base64.b64encode(key.sign(manifest_bytes)) + b"\n")
    return manifest
