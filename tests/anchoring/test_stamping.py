"""Every timeline event and media original is time-stamped by a real (local) RFC 3161
authority; a TSA that is down loses nothing, and a wrong answer is refused and reported."""

from __future__ import annotations

import logging
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.anchoring.tsa_server import LocalTsa
from tests.cast import Cast
from tests.dispatch.factories import client_for, make_incident
from tests.evidence.helpers import photo_with_gps, upload
from tests.reports.factories import body
from vecinos.accounts import audit
from vecinos.anchoring.models import AnchorState, Subject, TimeAnchor
from vecinos.anchoring.stamping import stamp_due
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.evidence import holds
from vecinos.evidence.models import Media
from vecinos.incidents.models import TimelineEvent


def anchors(db: Session) -> list[TimeAnchor]:
    db.expire_all()
    return list(db.scalars(select(TimeAnchor).order_by(TimeAnchor.id)))


def run(sessions: sessionmaker[Session], cast: Cast, settings: Settings, **later: float) -> int:
    """One round of the job: claimed in a transaction, asked for once it committed."""
    with transaction(sessions) as session:
        return stamp_due(session, cast.clock.now() + timedelta(**later), settings)


def two_events(sessions: sessionmaker[Session], cast: Cast) -> int:
    incident = make_incident(sessions, cast)
    with transaction(sessions) as db:
        holds.place(db, incident, cast.eastside, "Habeas", actor_id=None, now=cast.clock.now())
    with transaction(sessions) as db:
        holds.release(db, incident, cast.eastside, actor_id=None, now=cast.clock.now())
    return incident


def openssl_verifies(token: bytes, digest: str, tmp_path: Path, trust: bytes) -> bool:
    (tmp_path / "token.tsr").write_bytes(token)
    (tmp_path / "ca.pem").write_bytes(trust)
    result = subprocess.run(  # noqa: S603
        ["openssl", "ts", "-verify", "-digest", digest, "-in", str(tmp_path / "token.tsr"),  # noqa: S607
         "-CAfile", str(tmp_path / "ca.pem")],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    return "Verification: OK" in result.stdout


def test_every_event_and_original_is_queued_then_stamped(
    client: TestClient, app: object, cast: Cast, sessions: sessionmaker[Session],
    settings: Settings, local_tsa: LocalTsa, db: Session, tmp_path: Path,
) -> None:  # fmt: skip
    incident = two_events(sessions, cast)
    with client_for(client.app, cast, cast.rosa) as rosa:  # type: ignore[arg-type]
        assert upload(rosa, incident, photo_with_gps()).status_code == 201
    queued = anchors(db)
    events = list(db.scalars(select(TimelineEvent).order_by(TimelineEvent.seq)))
    assert [(a.subject, a.ref, a.sha256) for a in queued if a.subject == Subject.EVENT] == [
        (Subject.EVENT, e.seq, e.hash) for e in events
    ]
    media = db.scalars(select(Media)).one()
    assert [(a.ref, a.sha256) for a in queued if a.subject == Subject.MEDIA] == [
        (media.id, media.sha256)
    ]
    assert {a.state for a in queued} == {AnchorState.PENDING}

    assert run(sessions, cast, settings) == len(queued)
    for anchor in anchors(db):
        assert anchor.state == AnchorState.STAMPED and anchor.token and anchor.stamped_at
        assert openssl_verifies(
            anchor.token, anchor.sha256, tmp_path, local_tsa.authority.trust_pem
        )
    assert run(sessions, cast, settings) == 0  # nothing left to do


def test_intake_queues_the_events_it_writes(client: TestClient, db: Session) -> None:
    assert client.post("/api/reports", json=body()).status_code in (200, 201, 202)
    event = db.scalars(select(TimelineEvent)).one()
    anchor = anchors(db)[0]
    assert (anchor.subject, anchor.ref, anchor.sha256) == (Subject.EVENT, event.seq, event.hash)


def test_a_tsa_that_is_down_loses_nothing(
    cast: Cast, sessions: sessionmaker[Session], settings: Settings, local_tsa: LocalTsa,
    db: Session,
) -> None:  # fmt: skip
    two_events(sessions, cast)
    wanted = [(a.ref, a.sha256) for a in anchors(db)]
    local_tsa.mode = "down"
    assert run(sessions, cast, settings) == 2  # claimed, asked for after the claim committed
    waiting = anchors(db)
    assert [(a.ref, a.sha256) for a in waiting] == wanted
    assert all(a.state == AnchorState.PENDING and a.attempts == 1 for a in waiting)
    assert all("unavailable: HTTP 503" in (a.last_error or "") for a in waiting)
    assert local_tsa.requests == 1  # the rest of the round was put off, not timed out
    assert run(sessions, cast, settings) == 0  # not due yet: back-off
    local_tsa.mode = "ok"
    assert run(sessions, cast, settings, seconds=settings.tsa_retry_base_seconds) == 2
    assert [(a.ref, a.sha256, a.state) for a in anchors(db)] == [
        (ref, sha, AnchorState.STAMPED) for ref, sha in wanted
    ]


def test_an_unreachable_tsa_backs_off_doubling(
    cast: Cast, sessions: sessionmaker[Session], settings: Settings, db: Session
) -> None:
    closed = settings.model_copy(update={"tsa_url": "http://127.0.0.1:9/tsa"})
    two_events(sessions, cast)
    run(sessions, cast, closed)
    first = anchors(db)[0].next_attempt_at
    run(sessions, cast, closed, seconds=closed.tsa_retry_base_seconds)
    second = anchors(db)[0]
    assert second.attempts == 2 and "unavailable" in (second.last_error or "")
    # 30 s after the first try, then 60 s after the second (which ran when the first was due)
    assert second.next_attempt_at - first == timedelta(seconds=2 * closed.tsa_retry_base_seconds)


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("replay", "for another hash"), ("forged", "bad signature or untrusted certificate")],
)
def test_a_wrong_answer_is_refused_and_reported(
    cast: Cast, sessions: sessionmaker[Session], settings: Settings, local_tsa: LocalTsa,
    db: Session, caplog: pytest.LogCaptureFixture, mode: str, reason: str,
) -> None:  # fmt: skip
    incident = make_incident(sessions, cast)
    with transaction(sessions) as session:
        holds.place(session, incident, cast.eastside, "Habeas", actor_id=None, now=cast.clock.now())
    assert run(sessions, cast, settings) == 1  # a genuine answer the TSA may replay
    with transaction(sessions) as session:
        holds.release(session, incident, cast.eastside, actor_id=None, now=cast.clock.now())
    local_tsa.mode = mode
    with caplog.at_level(logging.ERROR, logger="vecinos.anchoring"):
        run(sessions, cast, settings)
    refused = anchors(db)[-1]
    assert refused.state == AnchorState.PENDING and refused.token is None
    assert reason in (refused.last_error or "") and refused.sha256
    assert any(reason in record.getMessage() for record in caplog.records)


def test_no_transaction_is_open_while_the_tsa_is_asked(
    cast: Cast, sessions: sessionmaker[Session], settings: Settings, local_tsa: LocalTsa,
) -> None:  # fmt: skip
    """A slow authority must never hold the database: while it answers, another writer
    writes (on SQLite an open transaction would hold the one write lock)."""
    two_events(sessions, cast)
    written: list[str] = []

    def write_meanwhile(query: bytes) -> bytes:
        with transaction(sessions) as other:
            audit.record(other, "test.written_meanwhile", at=cast.clock.now())
        written.append("yes")
        return local_tsa.authority.reply(query)

    local_tsa.answer = write_meanwhile  # type: ignore[method-assign]
    run(sessions, cast, settings)
    assert len(written) == 2
