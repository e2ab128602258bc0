"""The legal bundle carries its time-stamps and a readable report; `vecinos export verify`
checks the time-stamps offline and names a tampered time-stamp, hash or order — even when
the tampering was signed again with the deployment's own key."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.anchoring.tsa_server import LocalTsa
from tests.cast import Cast
from tests.dispatch.factories import client_for, make_incident, north, on_shift
from tests.evidence.helpers import photo_with_gps, upload
from tests.evidence.test_bundle import read, resign, verify, write
from vecinos.anchoring.stamping import stamp_due
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.evidence import holds, retention
from vecinos.evidence.models import Media
from vecinos.evidence.signing import signing_key
from vecinos.evidence.storage import storage_for
from vecinos.incidents.timeline import GENESIS, canonical

Files = dict[str, bytes]


@pytest.fixture
def incident(app: FastAPI, cast: Cast, sessions: sessionmaker[Session], settings: Settings) -> int:
    """A confirmed arrest with an observer report and a photo, all time-stamped; then one
    more event the time-stamping authority has not answered for yet."""
    on_shift(sessions, cast, cast.rosa, north(150))
    incident_id = make_incident(sessions, cast)
    with client_for(app, cast, cast.dario) as dispatcher:
        assert dispatcher.post(f"/api/incidents/{incident_id}/dispatch", json={}).status_code == 201
    now = cast.clock.now()
    with client_for(app, cast, cast.rosa) as rosa:
        offer = rosa.get("/api/offers").json()[0]["id"]
        rosa.post(f"/api/offers/{offer}/accept")
        rosa.post(f"/api/offers/{offer}/on-scene")
        assert upload(rosa, incident_id, photo_with_gps()).status_code == 201
        report = {"agents": 6, "warrant": "administrative", "detained": 2,
                  "agencies": ["ice"], "vehicles_seen": [{"type": "suv", "colour": "black"}],
                  "agents_arrived_at": (now - timedelta(minutes=30)).isoformat()}  # fmt: skip
        filed = rosa.post(
            f"/api/offers/{offer}/finding",
            json={"finding": "confirmed", "note": "Two people taken", "observer_report": report},
        )
        assert filed.status_code == 200, filed.text
    with transaction(sessions) as db:
        assert stamp_due(db, now, settings) > 5
        holds.place(db, incident_id, cast.eastside, "Habeas", actor_id=None, now=now)
    return incident_id


@pytest.fixture
def bundle(cli_env: CliRunner, incident: int, tmp_path: Path, settings: Settings) -> Path:
    out = tmp_path / "bundle.zip"
    result = cli_env.invoke(
        cli_app(), ["export", "incident", str(incident), "-o", str(out), "--lang", "es"]
    )
    assert result.exit_code == 0, result.output
    return out


def cli_app() -> Any:
    from vecinos.cli import app

    return app


def tsa_flag(settings: Settings) -> tuple[str, str]:
    assert settings.tsa_certificate is not None
    return "--tsa-certificate", str(settings.tsa_certificate)


def rechain(files: Files, events: list[dict[str, Any]]) -> None:
    """What an insider rewriting history would do: renumber and re-hash the whole chain."""
    previous = GENESIS
    for seq, event in enumerate(events, start=1):
        event["seq"], event["prev_hash"] = seq, previous
        content = canonical(
            incident_id=event["incident_id"], seq=seq, kind=event["kind"],
            payload=event["payload"], actor_id=event["actor_id"],
            at=datetime.fromisoformat(event["at"]), prev_hash=previous,
        )  # fmt: skip
        event["hash"] = previous = hashlib.sha256(content).hexdigest()
    files["timeline.json"] = json.dumps(events).encode()


def test_a_fresh_bundle_verifies_with_its_timestamps_offline(
    cli_env: CliRunner, bundle: Path, settings: Settings
) -> None:
    files = read(bundle)
    stamps = json.loads(files["timestamps.json"])
    events = json.loads(files["timeline.json"])
    stamped = [s for s in stamps if s["file"]]
    assert {s["subject"] for s in stamped} == {"event", "media"}
    assert [s for s in stamps if not s["file"]] == [
        {"subject": "event", "ref": len(events), "sha256": events[-1]["hash"], "time": None,
         "file": None}
    ]  # fmt: skip
    assert all(files[s["file"]] for s in stamped)
    finding = json.loads(files["findings.json"])[0]
    assert finding["observer_report"]["warrant"] == "administrative"
    code, output = verify(cli_env, bundle, *tsa_flag(settings))
    assert code == 0, output
    assert f"{len(stamped)} RFC 3161 time-stamps hold; 1 hash(es) had none" in output
    code, output = verify(cli_env, bundle)
    assert code == 0 and "Time-stamps NOT checked" in output


def test_openssl_alone_checks_an_original_against_its_timestamp(
    bundle: Path, tmp_path: Path, local_tsa: LocalTsa
) -> None:
    files = read(bundle)
    media = json.loads(files["media.json"])[0]
    original, token, chain = tmp_path / "photo.jpg", tmp_path / "photo.tsr", tmp_path / "ca.pem"
    original.write_bytes(files[media["file"]])
    token.write_bytes(files[f"timestamps/media-{media['id']:04d}.tsr"])
    chain.write_bytes(local_tsa.authority.trust_pem)
    result = subprocess.run(  # noqa: S603
        ["openssl", "ts", "-verify", "-data", str(original), "-in", str(token),  # noqa: S607
         "-CAfile", str(chain)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert "Verification: OK" in result.stdout, result.stdout + result.stderr


def test_the_report_pdf_reads_for_a_court(bundle: Path, tmp_path: Path) -> None:
    files = read(bundle)
    (tmp_path / "report.pdf").write_bytes(files["report.pdf"])
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],  # noqa: S607
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    flat = " ".join(text.split())
    events = json.loads(files["timeline.json"])
    stamps = {s["ref"]: s for s in json.loads(files["timestamps.json"]) if s["subject"] == "event"}
    media = json.loads(files["media.json"])[0]
    assert f"Informe de pruebas: incidente {events[0]['incident_id']}" in flat
    assert "Informes de observación" in flat and "Administrativa: firmada por un agente" in flat
    assert "Personas detenidas 2" in flat and "SUV (Negro)" in flat
    for event in events:
        assert event["hash"] in text.replace("\n", "").replace(" ", "")
    first_time = datetime.fromisoformat(stamps[1]["time"]).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert first_time in flat
    assert media["sha256"] in text.replace("\n", "").replace(" ", "")
    assert "vecinos export verify" in flat and "openssl ts -verify" in flat
    assert "1 esperaban" in flat  # the event still waiting for its time-stamp is said plainly


def tampered(cli_env: CliRunner, files: Files, tmp_path: Path, settings: Settings) -> str:
    resign(files, signing_key(settings))  # the insider holds the deployment's key
    code, output = verify(cli_env, write(tmp_path / "t.zip", files), *tsa_flag(settings))
    assert code == 1, output
    return output


def test_a_tampered_timestamp_is_named(
    cli_env: CliRunner, bundle: Path, tmp_path: Path, settings: Settings
) -> None:
    files = read(bundle)
    token = bytearray(files["timestamps/event-0002.tsr"])
    token[-30] ^= 0x01  # inside the signature
    files["timestamps/event-0002.tsr"] = bytes(token)
    output = tampered(cli_env, files, tmp_path, settings)
    assert "timestamps/event-0002.tsr: the time-stamp of event 2 does not hold" in output


def test_a_rewritten_event_is_named_by_its_timestamp(
    cli_env: CliRunner, bundle: Path, tmp_path: Path, settings: Settings
) -> None:
    files = read(bundle)
    events = json.loads(files["timeline.json"])
    finding = next(e for e in events if e["kind"] == "dispatch.finding")
    finding["payload"]["observer_report"]["warrant"] = "judicial"  # history rewritten
    rechain(files, events)
    output = tampered(cli_env, files, tmp_path, settings)
    assert f"timeline.json: event {finding['seq']} is not the event time-stamped at" in output


def test_reordered_events_are_named_by_their_timestamps(
    cli_env: CliRunner, bundle: Path, tmp_path: Path, settings: Settings
) -> None:
    files = read(bundle)
    events = json.loads(files["timeline.json"])
    rechain(files, [events[1], events[0], *events[2:]])
    output = tampered(cli_env, files, tmp_path, settings)
    assert "timeline.json: event 1 is not the event time-stamped at" in output
    assert "reordered after it was time-stamped" in output


def test_swapped_timestamps_are_named(
    cli_env: CliRunner, bundle: Path, tmp_path: Path, settings: Settings
) -> None:
    files = read(bundle)
    stamps = json.loads(files["timestamps.json"])
    first, second = stamps[0], stamps[1]
    for key in ("sha256", "time", "file"):
        first[key], second[key] = second[key], first[key]
    files["timestamps.json"] = json.dumps(stamps).encode()
    output = tampered(cli_env, files, tmp_path, settings)
    assert "the time-stamp listed for event 1 is the one of event 2" in output


def test_a_bundle_still_verifies_after_retention_deleted_a_photo(
    cli_env: CliRunner, incident: int, sessions: sessionmaker[Session], settings: Settings,
    tmp_path: Path,
) -> None:  # fmt: skip
    with transaction(sessions) as db:
        doomed = [retention.Doomed("media", m.id, m.organization_id or 0, incident, m.created_at)
                  for m in db.scalars(select(Media))]  # fmt: skip
        retention.apply(db, storage_for(settings), doomed, now=datetime.now(UTC))
    out = tmp_path / "after.zip"
    result = cli_env.invoke(cli_app(), ["export", "incident", str(incident), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(read(out)["media.json"]) == []
    code, output = verify(cli_env, out, *tsa_flag(settings))
    assert code == 0, output
