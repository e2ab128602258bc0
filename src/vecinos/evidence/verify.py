"""Check a legal export: signature, manifest, hash chain, media — and name the first thing
that does not match. Nothing here trusts the bundle: the public key comes from outside it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from vecinos.anchoring.tsa import Trust
from vecinos.evidence.bundle import FORMAT, MANIFEST, SIGNATURE
from vecinos.evidence.verify_time import TimeTampered, check_timestamps
from vecinos.incidents.timeline import GENESIS, canonical

TIMELINE, MEDIA = "timeline.json", "media.json"
MEDIA_EVENTS = ("media_added", "recording_finished")
OLD_FORMAT = "vecinos-evidence-bundle/1"  # before time-stamps: still checked, without them


class Tampered(Exception):
    """The first thing in a bundle that does not match; the message says what and where."""


@dataclass(frozen=True)
class Verdict:
    ok: bool
    problem: str | None
    files: int = 0
    events: int = 0
    incident_id: int | None = None
    stamped: int | None = None  # time-stamps that hold; None when they were not checked
    pending: int = 0  # hashes that had no time-stamp yet when the bundle was made


def verify_bundle(
    source: Path | BinaryIO, key: Ed25519PublicKey, trust: Trust | None = None
) -> Verdict:
    """Check everything; with `trust` (the time-stamping authority's certificates) the
    time-stamps too, which hold even against someone who has the deployment's key."""
    stamped, pending = None, 0
    try:
        with zipfile.ZipFile(source) as archive:
            manifest = _check_signature(archive, key)
            _check_files(archive, manifest)
            events = _check_timeline(archive, manifest)
            media = _check_media(archive, manifest, events)
            if trust is not None and manifest["format"] != OLD_FORMAT:
                stamped, pending = check_timestamps(archive, events, media, trust)
    except (Tampered, TimeTampered) as exc:
        return Verdict(False, str(exc))
    except zipfile.BadZipFile as exc:
        return Verdict(False, f"not a readable zip file ({exc})")
    counts = len(manifest["files"]), len(events), manifest["incident_id"]
    return Verdict(True, None, *counts, stamped=stamped, pending=pending)


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        raise Tampered(f"{name}: missing from the bundle") from None


def _json(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(_read(archive, name))
    except ValueError:
        raise Tampered(f"{name}: not valid JSON") from None


def _check_signature(archive: zipfile.ZipFile, key: Ed25519PublicKey) -> dict[str, Any]:
    manifest_bytes = _read(archive, MANIFEST)
    try:
        signature = base64.b64decode(_read(archive, SIGNATURE).strip(), validate=True)
        key.verify(signature, manifest_bytes)
    except (InvalidSignature, binascii.Error):
        raise Tampered(
            f"{SIGNATURE}: the signature does not match {MANIFEST} under this key"
            " (the manifest was changed, or the bundle was signed by another key)"
        ) from None
    manifest: dict[str, Any] = json.loads(manifest_bytes)
    if manifest.get("format") not in (FORMAT, OLD_FORMAT):
        raise Tampered(f"{MANIFEST}: unknown format {manifest.get('format')!r}")
    return manifest


def _check_files(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    listed = set()
    for entry in manifest["files"]:
        path = entry["path"]
        listed.add(path)
        digest, size = hashlib.sha256(), 0
        try:
            with archive.open(path) as reader:
                while block := reader.read(1024 * 1024):
                    digest.update(block)
                    size += len(block)
        except KeyError:
            raise Tampered(f"{path}: listed in the manifest but missing from the bundle") from None
        if digest.hexdigest() != entry["sha256"] or size != entry["size"]:
            raise Tampered(f"{path}: content does not match its SHA-256 in the manifest")
    extra = sorted(set(archive.namelist()) - listed - {MANIFEST, SIGNATURE})
    if extra:
        raise Tampered(f"{extra[0]}: in the bundle but not in the signed manifest")


def _check_timeline(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = _json(archive, TIMELINE)
    prev_hash = GENESIS
    for position, event in enumerate(events, start=1):
        where = f"{TIMELINE}: event {position}"
        if event["seq"] != position or event["incident_id"] != manifest["incident_id"]:
            raise Tampered(f"{where}: found event {event['seq']} (events missing or reordered)")
        if event["prev_hash"] != prev_hash:
            raise Tampered(f"{where}: does not point at the previous event's hash")
        if _hash(event) != event["hash"]:
            raise Tampered(f"{where}: content does not match its hash (edited)")
        prev_hash = event["hash"]
    if prev_hash != manifest["timeline_head"]:
        raise Tampered(f"{TIMELINE}: ends at another event than the manifest names")
    return events


def _hash(event: dict[str, Any]) -> str:
    content = canonical(
        incident_id=event["incident_id"],
        seq=event["seq"],
        kind=event["kind"],
        payload=event["payload"],
        actor_id=event["actor_id"],
        at=datetime.fromisoformat(event["at"]),
        prev_hash=event["prev_hash"],
    )
    return hashlib.sha256(content).hexdigest()


def _check_media(
    archive: zipfile.ZipFile, manifest: dict[str, Any], events: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each finished original is the very file whose hash the timeline recorded."""
    recorded = {
        e["payload"]["media_id"]: e["payload"]["sha256"]
        for e in events
        if e["kind"] in MEDIA_EVENTS
    }
    hashes = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    items: list[dict[str, Any]] = _json(archive, MEDIA)
    for item in items:
        if item["state"] != "complete":
            continue
        if recorded.get(item["id"]) != item["sha256"]:
            raise Tampered(f"{MEDIA}: media {item['id']} is not what the timeline recorded")
        # Its bytes were checked against the manifest already.
        if item["file"] is not None and hashes.get(item["file"]) != item["sha256"]:
            raise Tampered(f"{item['file']}: not the original the timeline recorded")
    return items
