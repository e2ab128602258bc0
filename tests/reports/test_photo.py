"""A resident adds a photo to their report with the report's own status token."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.evidence.helpers import photo_with_gps
from tests.reports.factories import body
from vecinos.evidence.models import Media
from vecinos.incidents.models import TimelineEvent


def report(client: TestClient) -> str:
    sent = client.post("/api/reports", json=body())
    assert sent.status_code == 201, sent.text
    token: str = sent.json()["status_token"]
    return token


def test_the_reporter_adds_a_photo_kept_as_evidence(client: TestClient, db: Session) -> None:
    token = report(client)
    added = client.post(f"/api/reports/status/{token}/photo", content=photo_with_gps())
    assert added.status_code == 201, added.text
    media = db.scalar(select(Media))
    assert media is not None and media.kind == "photo" and media.uploaded_by_id is None
    assert media.public_key  # a copy without EXIF or GPS is what anyone may see
    event = db.scalar(select(TimelineEvent).where(TimelineEvent.kind == "media_added"))
    assert event is not None
    assert event.payload["sha256"] == media.sha256
    assert event.payload["report_id"] == int(token.split("-")[0])


def test_only_the_reports_own_token_and_only_photos(client: TestClient, db: Session) -> None:
    token = report(client)
    forged = client.post(f"/api/reports/status/{token[:-2]}xx/photo", content=photo_with_gps())
    assert forged.status_code == 404
    assert forged.json()["error"]["code"] == "report_not_found"
    program = b"MZ\x90\x00" + b"\x00" * 2000  # a Windows program, whatever its name
    assert client.post(f"/api/reports/status/{token}/photo", content=program).status_code == 415
    assert client.post(f"/api/reports/status/{token}/photo", content=b"").status_code == 422
    assert db.scalar(select(Media)) is None
