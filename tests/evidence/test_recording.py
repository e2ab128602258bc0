"""Record-and-upload: chunks hashed and chained on arrival; repeats and gaps refused with
nothing lost; resume from the status; the whole file's hash on the timeline when done."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from tests.evidence.helpers import ELF, webm_chunk
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.evidence import recording
from vecinos.evidence.models import Media
from vecinos.incidents import timeline

SignedIn = Callable[[Person], TestClient]
GENESIS = "0" * 64


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(client: TestClient, media_id: int, seq: int, data: bytes, previous: str | None) -> Any:
    headers = {"X-Chunk-SHA256": sha(data)}
    if previous:
        headers["X-Previous-SHA256"] = previous
    return client.put(f"/api/recordings/{media_id}/chunks/{seq}", content=data, headers=headers)


@pytest.fixture
def rosa(signed_in: SignedIn, cast: Cast) -> TestClient:
    return signed_in(cast.rosa)


@pytest.fixture
def media_id(rosa: TestClient, incident: int) -> int:
    answer = rosa.post(f"/api/incidents/{incident}/recordings", json={"kind": "video"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["last_seq"] == -1 and answer.json()["chain"] == GENESIS
    value: int = answer.json()["media_id"]
    return value


def send_all(client: TestClient, media_id: int, chunks: list[bytes], start: int = 0) -> None:
    for seq in range(start, len(chunks)):
        previous = sha(chunks[seq - 1]) if seq else None
        answer = put(client, media_id, seq, chunks[seq], previous)
        assert answer.status_code == 200, answer.text


def test_chunks_are_chained_and_the_whole_file_lands_on_the_timeline(
    rosa: TestClient, media_id: int, incident: int, db: Session
) -> None:
    chunks = [webm_chunk(n) for n in range(4)]
    send_all(rosa, media_id, chunks)
    status = rosa.get(f"/api/recordings/{media_id}").json()
    chain = GENESIS
    for chunk in chunks:
        chain = sha((chain + sha(chunk)).encode())
    assert status == {
        "media_id": media_id, "state": "recording", "chunks": 4, "last_seq": 3,
        "last_sha256": sha(chunks[-1]), "chain": chain,
    }  # fmt: skip
    done = rosa.post(f"/api/recordings/{media_id}/finish")
    assert done.status_code == 200, done.text
    whole = b"".join(chunks)
    assert done.json()["sha256"] == sha(whole) and done.json()["content_type"] == "video/webm"
    events = timeline.events_of(db, incident)
    assert [e.kind for e in events][-2:] == ["recording_started", "recording_finished"]
    assert events[-1].payload["sha256"] == sha(whole)
    assert events[-1].payload["chain"] == chain and events[-1].payload["chunks"] == 4
    lucas_view = done.json()
    assert lucas_view["size"] == len(whole)


def test_repeated_chunk_is_refused_and_changes_nothing(rosa: TestClient, media_id: int) -> None:
    chunks = [webm_chunk(n) for n in range(3)]
    send_all(rosa, media_id, chunks)
    again = put(rosa, media_id, 1, chunks[1], sha(chunks[0]))
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "chunk_repeated" and error["expected_seq"] == 3
    other = put(rosa, media_id, 2, b"something else entirely", sha(chunks[1]))
    assert other.status_code == 409 and other.json()["error"]["code"] == "chunk_conflict"
    assert rosa.get(f"/api/recordings/{media_id}").json()["last_sha256"] == sha(chunks[2])
    done = rosa.post(f"/api/recordings/{media_id}/finish").json()
    assert done["sha256"] == sha(b"".join(chunks))  # what was accepted is all there


def test_out_of_order_and_broken_chain_are_refused(rosa: TestClient, media_id: int) -> None:
    chunks = [webm_chunk(n) for n in range(3)]
    send_all(rosa, media_id, chunks[:1])
    ahead = put(rosa, media_id, 2, chunks[2], sha(chunks[1]))
    assert ahead.status_code == 409
    assert ahead.json()["error"]["code"] == "chunk_out_of_order"
    assert ahead.json()["error"]["expected_seq"] == 1
    wrong_previous = put(rosa, media_id, 1, chunks[1], sha(b"not chunk 0"))
    assert wrong_previous.status_code == 409
    assert wrong_previous.json()["error"]["code"] == "chunk_chain_broken"
    missing_previous = put(rosa, media_id, 1, chunks[1], None)
    assert missing_previous.json()["error"]["code"] == "chunk_chain_broken"
    damaged = rosa.put(
        f"/api/recordings/{media_id}/chunks/1",
        content=chunks[1],
        headers={"X-Previous-SHA256": sha(chunks[0]), "X-Chunk-SHA256": sha(b"other")},
    )
    assert damaged.status_code == 422 and damaged.json()["error"]["code"] == "chunk_corrupt"
    send_all(rosa, media_id, chunks, start=1)  # the right chunks still go on
    assert rosa.get(f"/api/recordings/{media_id}").json()["chunks"] == 3


def test_resume_after_a_lost_answer(rosa: TestClient, media_id: int) -> None:
    """The phone sent chunk 1 but lost the answer: it asks, and goes on from chunk 2."""
    chunks = [webm_chunk(n) for n in range(4)]
    send_all(rosa, media_id, chunks[:2])
    status = rosa.get(f"/api/recordings/{media_id}").json()
    assert status["last_seq"] == 1 and status["last_sha256"] == sha(chunks[1])
    send_all(rosa, media_id, chunks, start=status["last_seq"] + 1)
    done = rosa.post(f"/api/recordings/{media_id}/finish").json()
    assert done["sha256"] == sha(b"".join(chunks))


def test_first_chunk_must_be_a_recording(rosa: TestClient, media_id: int) -> None:
    answer = put(rosa, media_id, 0, ELF, None)
    assert answer.status_code == 415 and answer.json()["error"]["code"] == "media_type_refused"
    assert rosa.get(f"/api/recordings/{media_id}").json()["chunks"] == 0


def test_chunk_size_cap(rosa: TestClient, media_id: int, settings: Settings) -> None:
    settings.evidence_chunk_max_bytes = 1024
    answer = put(rosa, media_id, 0, webm_chunk(0, size=2000), None)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "media_too_large"


def test_finished_recordings_take_no_more_chunks(rosa: TestClient, media_id: int) -> None:
    chunks = [webm_chunk(n) for n in range(2)]
    send_all(rosa, media_id, chunks)
    assert rosa.post(f"/api/recordings/{media_id}/finish").status_code == 200
    late = put(rosa, media_id, 2, webm_chunk(2), sha(chunks[1]))
    assert late.status_code == 409 and late.json()["error"]["code"] == "recording_finished"
    assert rosa.post(f"/api/recordings/{media_id}/finish").status_code == 409


def test_only_who_started_it_adds_chunks(signed_in: SignedIn, cast: Cast, media_id: int) -> None:
    for person in (cast.dario, cast.lucas):
        answer = put(signed_in(person), media_id, 0, webm_chunk(0), None)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "recording_not_found"
    assert signed_in(cast.elena).get(f"/api/recordings/{media_id}").status_code == 403


def test_the_worker_seals_a_recording_whose_phone_went_silent(
    rosa: TestClient,
    media_id: int,
    incident: int,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    db: Session,
) -> None:
    """The phone was taken mid-recording: what arrived is kept and its hash is recorded."""
    chunks = [webm_chunk(n) for n in range(2)]
    send_all(rosa, media_id, chunks)
    with transaction(sessions) as writer:
        assert recording.seal_idle_recordings(writer, clock.now(), settings) == 0
    clock.advance(minutes=settings.evidence_recording_idle_minutes + 1)
    with transaction(sessions) as writer:
        assert recording.seal_idle_recordings(writer, clock.now(), settings) == 1
    media = db.get(Media, media_id)
    assert media is not None and media.state == "complete"
    assert media.sha256 == sha(b"".join(chunks))
    last = timeline.events_of(db, incident)[-1]
    assert last.kind == "recording_finished" and last.payload["how"] == "sealed_when_idle"
    assert last.actor_id is None
