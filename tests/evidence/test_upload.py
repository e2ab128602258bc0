"""Uploading media: streamed with a size cap, typed from the bytes, hashed onto the timeline."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from tests.dispatch.factories import make_incident, north, on_shift, timeline_kinds
from tests.evidence.helpers import ELF, WINDOWS_EXE, photo_with_gps, upload
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.evidence.media import SNIFF_BYTES
from vecinos.evidence.models import Media
from vecinos.evidence.storage import LocalStorage
from vecinos.evidence.uploads import Received, keep
from vecinos.incidents import timeline

SignedIn = Callable[[Person], TestClient]


def media_count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Media)) or 0


def stored_files(settings: Settings) -> list[Path]:
    root = settings.data_dir / "evidence"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_photo_is_kept_with_its_hash_on_the_timeline(
    signed_in: SignedIn, cast: Cast, incident: int, db: Session, settings: Settings
) -> None:
    photo = photo_with_gps()
    answer = upload(signed_in(cast.rosa), incident, photo)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    digest = hashlib.sha256(photo).hexdigest()
    assert body["sha256"] == digest and body["size"] == len(photo)
    assert body["kind"] == "photo" and body["content_type"] == "image/jpeg"
    assert body["public_copy_url"] and body["original_url"] is None  # a responder's view
    events = timeline.events_of(db, incident)
    assert events[-1].kind == "media_added"
    assert events[-1].payload == {
        "media_id": body["id"], "offer_id": None, "kind": "photo", "content_type": "image/jpeg",
        "size": len(photo), "sha256": digest,
    }  # fmt: skip
    assert timeline.verify_incident(db, incident) is None
    media = db.get(Media, body["id"])
    assert media is not None and media.storage_key.endswith("/original")
    assert (settings.data_dir / "evidence" / media.storage_key).read_bytes() == photo
    assert not list((settings.data_dir / "evidence-incoming").iterdir())  # temp file gone


def test_the_type_comes_from_the_bytes_not_the_name(
    signed_in: SignedIn, cast: Cast, incident: int, db: Session
) -> None:
    png = photo_with_gps(image_format="PNG")
    answer = upload(signed_in(cast.dario), incident, png, name="holiday.mp3")
    assert answer.status_code == 201 and answer.json()["content_type"] == "image/png"


def test_an_executable_named_jpg_is_refused_and_nothing_is_kept(
    signed_in: SignedIn, cast: Cast, incident: int, db: Session, settings: Settings
) -> None:
    client = signed_in(cast.rosa)
    for disguised in (ELF, WINDOWS_EXE, b"just some text, not a photo at all" * 10):
        answer = upload(client, incident, disguised, name="photo.jpg")
        assert answer.status_code == 415, answer.text
        assert answer.json()["error"]["code"] == "media_type_refused"
    assert media_count(db) == 0 and stored_files(settings) == []
    assert "media_added" not in timeline_kinds(db, incident)


def test_a_damaged_image_is_refused(signed_in: SignedIn, cast: Cast, incident: int) -> None:
    fake = photo_with_gps()[:40] + b"\x00" * 400  # a JPEG's first bytes, then nothing
    answer = upload(signed_in(cast.rosa), incident, fake)
    assert answer.status_code == 415 and answer.json()["error"]["code"] == "image_unreadable"


def test_an_empty_file_is_refused(signed_in: SignedIn, cast: Cast, incident: int) -> None:
    answer = upload(signed_in(cast.rosa), incident, b"")
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "media_empty"


def test_too_large_gets_413_declared_or_streamed(
    signed_in: SignedIn, cast: Cast, incident: int, db: Session, settings: Settings
) -> None:
    settings.evidence_max_bytes = 4096
    client = signed_in(cast.rosa)
    big = photo_with_gps(size=(1500, 1500))
    assert len(big) > 4096
    declared = upload(client, incident, big)
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "media_too_large"

    def stream() -> Iterator[bytes]:  # no Content-Length: the cap applies while it streams
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    streamed = client.post(f"/api/incidents/{incident}/media", content=stream())
    assert streamed.status_code == 413
    assert streamed.json()["error"]["max_bytes"] == 4096
    assert media_count(db) == 0 and stored_files(settings) == []
    assert not list((settings.data_dir / "evidence-incoming").iterdir())
    small = upload(client, incident, photo_with_gps())  # still works after the refusals
    assert small.status_code == 201


def test_upload_to_a_missing_incident_is_404(signed_in: SignedIn, cast: Cast) -> None:
    answer = upload(signed_in(cast.rosa), 999_999, photo_with_gps())
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "incident_not_found"


def test_a_finding_photo_names_the_responders_assignment(
    app: FastAPI, signed_in: SignedIn, cast: Cast, sessions: sessionmaker[Session], db: Session
) -> None:
    on_shift(sessions, cast, cast.rosa, north(200))
    incident = make_incident(sessions, cast)
    assert signed_in(cast.dario).post(f"/api/incidents/{incident}/dispatch", json={}).status_code
    rosa = signed_in(cast.rosa)
    (offer,) = rosa.get("/api/offers").json()
    rosa.post(f"/api/offers/{offer['id']}/accept")
    path = f"/api/incidents/{incident}/media?offer_id={offer['id']}"
    answer = rosa.post(path, content=photo_with_gps())
    assert answer.status_code == 201 and answer.json()["offer_id"] == offer["id"]
    assert timeline.events_of(db, incident)[-1].payload["offer_id"] == offer["id"]
    for person in (cast.dario, cast.lucas):  # someone else's assignment
        refused = signed_in(person).post(path, content=photo_with_gps())
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "offer_mismatch"


def test_an_upload_whose_transaction_rolls_back_leaves_no_file_behind(
    sessions: sessionmaker[Session], cast: Cast, incident: int, tmp_path: Path
) -> None:
    """The photo would otherwise outlive the record that lets retention find and delete it."""
    storage = LocalStorage(tmp_path / "store")
    data = photo_with_gps()
    source = tmp_path / "upload"
    source.write_bytes(data)
    received = Received(source, len(data), hashlib.sha256(data).hexdigest(), data[:SNIFF_BYTES])
    now = cast.clock.now()
    rolled_back: list[str] = []

    def upload_then_fail() -> None:
        with transaction(sessions) as db:
            media = keep(db, storage, incident, cast.eastside, received, now=now)
            rolled_back.extend([media.storage_key, media.public_key or ""])
            assert all(storage.exists(key) for key in rolled_back)
            raise RuntimeError("the request failed after the upload")

    with pytest.raises(RuntimeError, match="after the upload"):
        upload_then_fail()
    assert len(rolled_back) == 2 and not any(storage.exists(key) for key in rolled_back)
    with transaction(sessions) as db:
        media = keep(db, storage, incident, cast.eastside, received, now=now)
        committed = [media.storage_key, media.public_key or ""]
    assert all(storage.exists(key) for key in committed)
    assert not set(committed) & set(rolled_back)  # a key is never handed out twice
