"""A finding lists the media that document it, in the legal bundle: a file sent for the
assignment, and a recording the responder started in the app without naming one."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from tests.dispatch.factories import north, on_shift
from tests.evidence.helpers import webm_chunk

SignedIn = Callable[[Person], TestClient]


def test_a_finding_lists_the_recording_made_for_it(
    signed_in: SignedIn, cast: Cast, incident: int, sessions: sessionmaker[Session]
) -> None:
    on_shift(sessions, cast, cast.rosa, north(200))
    assert (
        signed_in(cast.dario).post(f"/api/incidents/{incident}/dispatch", json={}).status_code
        == 201
    )
    rosa = signed_in(cast.rosa)
    (offer,) = rosa.get("/api/offers").json()
    assert rosa.post(f"/api/offers/{offer['id']}/accept").status_code == 200
    media_id = rosa.post(f"/api/incidents/{incident}/recordings", json={"kind": "audio"}).json()[
        "media_id"
    ]
    chunk = webm_chunk(0)
    assert rosa.put(f"/api/recordings/{media_id}/chunks/0", content=chunk).status_code == 200
    assert rosa.post(f"/api/recordings/{media_id}/finish").status_code == 200
    found = rosa.post(f"/api/offers/{offer['id']}/finding", json={"finding": "confirmed"})
    assert found.status_code == 200, found.text

    bundle = signed_in(cast.lucas).get(f"/api/incidents/{incident}/export")
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        (finding,) = json.loads(archive.read("findings.json"))
    assert finding["finding"] == "confirmed"
    assert finding["media_ids"] == [media_id]
    assert finding["media"] == [
        {"id": media_id, "kind": "audio", "sha256": hashlib.sha256(chunk).hexdigest()}
    ]
