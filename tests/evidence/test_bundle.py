"""The signed legal export and `vecinos export verify`: a fresh bundle passes, every kind of
tampering fails and is named."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.cast import Cast, Person
from tests.evidence.helpers import photo_with_gps, upload, webm_chunk
from vecinos.accounts.models import AuditEvent
from vecinos.cli import app as cli_app
from vecinos.config import Settings
from vecinos.evidence.signing import public_pem, signing_key
from vecinos.evidence.verify import verify_bundle

SignedIn = Callable[[Person], TestClient]
Files = dict[str, bytes]


@pytest.fixture
def evidence(signed_in: SignedIn, cast: Cast, incident: int) -> dict[str, Any]:
    """An incident with a photo and a two-chunk recording, and its hashes."""
    rosa = signed_in(cast.rosa)
    photo = photo_with_gps()
    photo_id = upload(rosa, incident, photo).json()["id"]
    media_id = rosa.post(f"/api/incidents/{incident}/recordings", json={"kind": "audio"}).json()[
        "media_id"
    ]
    chunks = [webm_chunk(0), webm_chunk(1)]
    rosa.put(f"/api/recordings/{media_id}/chunks/0", content=chunks[0])
    rosa.put(
        f"/api/recordings/{media_id}/chunks/1",
        content=chunks[1],
        headers={"X-Previous-SHA256": hashlib.sha256(chunks[0]).hexdigest()},
    )
    assert rosa.post(f"/api/recordings/{media_id}/finish").status_code == 200
    return {"photo": photo, "photo_id": photo_id, "recording": b"".join(chunks)}


@pytest.fixture
def bundle(cli_env: CliRunner, incident: int, evidence: dict[str, Any], tmp_path: Path) -> Path:
    out = tmp_path / "bundle.zip"
    result = cli_env.invoke(cli_app, ["export", "incident", str(incident), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def read(path: Path) -> Files:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write(path: Path, files: Files) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def resign(files: Files, key: Ed25519PrivateKey) -> None:
    """What an insider with the key would do: fix the manifest and sign it again."""
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        data = files.get(entry["path"], b"")
        entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
    events = json.loads(files["timeline.json"])
    manifest["timeline_head"] = events[-1]["hash"]
    files["manifest.json"] = json.dumps(manifest).encode()
    files["manifest.sig"] = base64.b64encode(key.sign(files["manifest.json"]))


def verify(cli: CliRunner, path: Path, *extra: str) -> tuple[int, str]:
    result = cli.invoke(cli_app, ["export", "verify", str(path), *extra])
    return result.exit_code, " ".join(result.output.split())


def test_a_fresh_bundle_holds_everything_and_verifies(
    cli_env: CliRunner, bundle: Path, incident: int, evidence: dict[str, Any]
) -> None:
    files = read(bundle)
    assert {"incident.json", "timeline.json", "findings.json", "media.json"} <= set(files)
    assert files[f"media/{evidence['photo_id']}.jpg"] == evidence["photo"]  # GPS and all
    media = json.loads(files["media.json"])
    recorded = next(m for m in media if m["kind"] == "audio")
    assert files[recorded["file"]] == evidence["recording"]
    assert [c["seq"] for c in recorded["chunks"]] == [0, 1]
    kinds = [e["kind"] for e in json.loads(files["timeline.json"])]
    assert kinds == ["media_added", "recording_started", "recording_finished"]
    assert json.loads(files["incident.json"])["id"] == incident
    code, output = verify(cli_env, bundle)
    assert code == 0, output
    assert f"OK: incident {incident}" in output


def test_a_changed_byte_is_named(cli_env: CliRunner, bundle: Path, tmp_path: Path) -> None:
    for name in ("timeline.json", "incident.json", "media.json"):
        files = read(bundle)
        files[name] = files[name].replace(b'"', b"'", 1)
        code, output = verify(cli_env, write(tmp_path / "t.zip", files))
        assert code == 1 and f"{name}: content does not match its SHA-256" in output
    files = read(bundle)
    photo = next(n for n in files if n.endswith(".jpg"))
    data = bytearray(files[photo])
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    files[photo] = bytes(data)
    code, output = verify(cli_env, write(tmp_path / "t.zip", files))
    assert code == 1 and f"{photo}: content does not match its SHA-256" in output


def test_a_removed_or_added_file_is_named(cli_env: CliRunner, bundle: Path, tmp_path: Path) -> None:
    files = read(bundle)
    del files["findings.json"]
    code, output = verify(cli_env, write(tmp_path / "t.zip", files))
    assert code == 1 and "findings.json: listed in the manifest but missing" in output
    files = read(bundle)
    del files["manifest.sig"]
    code, output = verify(cli_env, write(tmp_path / "t.zip", files))
    assert code == 1 and "manifest.sig: missing" in output
    files = read(bundle) | {"media/99.jpg": photo_with_gps()}
    code, output = verify(cli_env, write(tmp_path / "t.zip", files))
    assert code == 1 and "media/99.jpg: in the bundle but not in the signed manifest" in output


def test_a_reordered_timeline_fails_even_when_signed_again(
    cli_env: CliRunner, bundle: Path, tmp_path: Path, settings: Settings
) -> None:
    files = read(bundle)
    events = json.loads(files["timeline.json"])
    files["timeline.json"] = json.dumps([events[1], events[0], *events[2:]]).encode()
    code, output = verify(cli_env, write(tmp_path / "t.zip", files))
    assert code == 1 and "timeline.json: content does not match" in output
    resign(files, signing_key(settings))  # even with the deployment's own key
    code, output = verify(cli_env, write(tmp_path / "t.zip", files))
    assert code == 1 and "timeline.json: event 1: found event 2" in output


def test_an_edited_event_or_swapped_original_fails_even_when_signed_again(
    cli_env: CliRunner, bundle: Path, tmp_path: Path, settings: Settings
) -> None:
    key = signing_key(settings)
    files = read(bundle)
    events = json.loads(files["timeline.json"])
    events[0]["payload"]["size"] += 1
    files["timeline.json"] = json.dumps(events).encode()
    resign(files, key)
    code, output = verify(cli_env, write(tmp_path / "t.zip", files))
    assert code == 1 and "timeline.json: event 1: content does not match its hash" in output
    files = read(bundle)
    photo = next(n for n in files if n.endswith(".jpg"))
    files[photo] = photo_with_gps(size=(10, 10))  # another picture, manifest fixed up
    resign(files, key)
    code, output = verify(cli_env, write(tmp_path / "t.zip", files))
    assert code == 1 and f"{photo}: not the original the timeline recorded" in output


def test_the_wrong_key_fails(cli_env: CliRunner, bundle: Path, tmp_path: Path) -> None:
    other = Ed25519PrivateKey.generate()
    files = read(bundle)
    resign(files, other)  # signed by someone else's key
    code, output = verify(cli_env, write(tmp_path / "t.zip", files))
    assert code == 1 and "manifest.sig: the signature does not match" in output
    pem = tmp_path / "other.pem"
    pem.write_bytes(public_pem(other.public_key()))
    code, output = verify(cli_env, bundle, "--public-key", str(pem))  # checked with another key
    assert code == 1 and "signed by another key" in output
    assert verify(cli_env, write(tmp_path / "t.zip", files), "--public-key", str(pem))[0] == 0


def test_not_a_bundle(cli_env: CliRunner, tmp_path: Path, settings: Settings) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK but not really")
    pem = tmp_path / "key.pem"
    pem.write_bytes(public_pem(Ed25519PrivateKey.generate().public_key()))
    code, output = verify(cli_env, junk, "--public-key", str(pem))
    assert code == 1 and "not a readable zip" in output
    assert verify(cli_env, tmp_path / "missing.zip", "--public-key", str(pem))[0] == 2
    key_file = settings.data_dir / "evidence-signing-key.pem"
    assert not key_file.exists()
    code, output = verify(cli_env, junk)
    assert code == 2 and "give --public-key" in output and not key_file.exists()
    result = cli_env.invoke(cli_app, ["export", "incident", "424242", "-o", str(junk)])
    assert result.exit_code == 1 and "No incident 424242" in result.output


def test_legal_exports_from_the_web_and_it_is_audited(
    signed_in: SignedIn, cast: Cast, incident: int, evidence: dict[str, Any], settings: Settings,
    db: Session,
) -> None:  # fmt: skip
    answer = signed_in(cast.lucas).get(f"/api/incidents/{incident}/export")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert "attachment" in answer.headers["content-disposition"]
    verdict = verify_bundle(io.BytesIO(answer.content), signing_key(settings).public_key())
    assert verdict.ok, verdict.problem
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.exported")).one()
    assert event.actor_id == cast.lucas.member_id and event.detail["incident_id"] == incident
    assert not list((settings.data_dir / "evidence-exports").iterdir())  # temp file gone


def test_public_key_command_prints_the_signing_key(cli_env: CliRunner, settings: Settings) -> None:
    result = cli_env.invoke(cli_app, ["export", "public-key"])
    assert result.exit_code == 0
    assert result.output.encode() == public_pem(signing_key(settings).public_key())
    assert (settings.data_dir / "evidence-signing-key.pem").stat().st_mode & 0o077 == 0


def test_the_signing_key_can_come_from_a_secret_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.hazmat.primitives import serialization

    from vecinos.config import load_settings

    key = Ed25519PrivateKey.generate()
    secret = tmp_path / "signing.pem"
    secret.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    monkeypatch.setenv("VECINOS_EVIDENCE_SIGNING_KEY_FILE", str(secret))
    loaded = signing_key(load_settings(data_dir=tmp_path / "data"))
    assert public_pem(loaded.public_key()) == public_pem(key.public_key())
    assert not (tmp_path / "data" / "evidence-signing-key.pem").exists()
