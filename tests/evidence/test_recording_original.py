"""Finding 8: the original of a recording still in progress. With no chunk yet there is nothing
to give (404, not a FileNotFoundError); with chunks, legal support gets what has arrived."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.cast import Cast
from tests.evidence.helpers import webm_chunk
from tests.evidence.test_recording import SignedIn, put, send_all, sha


def started(signed_in: SignedIn, cast: Cast, incident: int) -> tuple[TestClient, TestClient, int]:
    """Rosa starts a recording; Lucas (legal support) may see originals."""
    rosa, lucas = signed_in(cast.rosa), signed_in(cast.lucas)
    answer = rosa.post(f"/api/incidents/{incident}/recordings", json={"kind": "video"})
    return rosa, lucas, int(answer.json()["media_id"])


def test_original_of_a_recording_with_no_chunk_is_a_clear_404(
    signed_in: SignedIn, cast: Cast, incident: int
) -> None:
    _, lucas, media_id = started(signed_in, cast, incident)

    answer = lucas.get(f"/api/media/{media_id}/original")
    assert answer.status_code == 404, answer.text
    assert answer.json()["error"]["code"] == "recording_empty"
    assert answer.headers["cache-control"] == "no-store"


def test_original_of_a_recording_in_progress_is_what_has_arrived(
    signed_in: SignedIn, cast: Cast, incident: int
) -> None:
    rosa, lucas, media_id = started(signed_in, cast, incident)
    chunks = [webm_chunk(0), webm_chunk(1)]
    send_all(rosa, media_id, chunks)

    so_far = lucas.get(f"/api/media/{media_id}/original")
    assert so_far.status_code == 200, so_far.text
    assert so_far.content == b"".join(chunks)

    third = webm_chunk(2)
    assert put(rosa, media_id, 2, third, sha(chunks[1])).status_code == 200
    assert rosa.post(f"/api/recordings/{media_id}/finish").status_code == 200
    whole = lucas.get(f"/api/media/{media_id}/original")
    assert whole.content == b"".join([*chunks, third])


def test_a_person_who_may_not_see_originals_is_still_refused(
    signed_in: SignedIn, cast: Cast, incident: int
) -> None:
    rosa, _, media_id = started(signed_in, cast, incident)
    answer = rosa.get(f"/api/media/{media_id}/original")
    assert answer.status_code == 403, answer.text
