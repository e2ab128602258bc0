"""Proof of work on public reports: a fresh device token no longer buys a free report."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from altcha import v1 as altcha
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.reports.factories import body
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.reports import challenge
from vecinos.reports.models import Report, SpentChallenge

CALM_WORK = 2000  # small enough that the test solves it at once


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "report_proof_of_work": True,
            "report_challenge_work": CALM_WORK,
            "report_challenge_calm_per_minute": 10,
        }
    )


def solved(client: TestClient) -> str:
    """What a phone does: fetch a challenge, find its number, send the five fields back."""
    task = client.get("/api/reports/challenge").json()
    answer = altcha.solve_challenge(
        task["challenge"], task["salt"], task["algorithm"], task["maxnumber"], 0
    )
    assert answer is not None
    fields = {k: task[k] for k in ("algorithm", "challenge", "salt", "signature")}
    return base64.b64encode(json.dumps({**fields, "number": answer.number}).encode()).decode()


def report(**changes: Any) -> dict[str, Any]:
    return body(**changes)


def count(db: Session, model: type[Report] | type[SpentChallenge]) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_a_report_without_a_solved_challenge_is_refused(client: TestClient, db: Session) -> None:
    answer = client.post("/api/reports", json=report())
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "proof_required"
    assert count(db, Report) == 0


def test_a_solved_challenge_buys_one_report_and_only_one(client: TestClient, db: Session) -> None:
    proof = solved(client)
    first = client.post("/api/reports", json=report(proof=proof))
    assert first.status_code == 201, first.text
    # The same proof on another report (from a fresh device token): refused.
    again = client.post(
        "/api/reports",
        json=report(proof=proof),
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "proof_used"
    assert count(db, Report) == 1 and count(db, SpentChallenge) == 1


def test_a_retry_of_a_stored_report_is_answered_with_any_valid_proof(
    client: TestClient, db: Session
) -> None:
    sent = report(proof=solved(client), idempotency_key="retry-key-0001")
    first = client.post("/api/reports", json=sent)
    assert first.status_code == 201
    # The phone lost the answer and sends again: the same proof, then a fresh one.
    for proof in (sent["proof"], solved(client)):
        retry = client.post("/api/reports", json={**sent, "proof": proof})
        assert retry.status_code == 200
        assert retry.json()["report_id"] == first.json()["report_id"]
    assert count(db, Report) == 1


def test_an_expired_or_forged_proof_is_refused(
    client: TestClient, clock: FrozenClock, db: Session
) -> None:
    proof = solved(client)
    fields = json.loads(base64.b64decode(proof))
    wrong = base64.b64encode(json.dumps({**fields, "number": fields["number"] + 1}).encode())
    forged = client.post("/api/reports", json=report(proof=wrong.decode()))
    assert forged.json()["error"]["code"] == "proof_invalid"
    for junk in ("not base64!", base64.b64encode(b"[1, 2]").decode(), "e30="):
        refused = client.post("/api/reports", json=report(proof=junk))
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "proof_invalid"
    clock.advance(minutes=11)
    late = client.post("/api/reports", json=report(proof=proof))
    assert late.status_code == 400
    assert late.json()["error"]["code"] == "proof_expired"
    assert count(db, Report) == 0


def test_challenges_cost_more_while_many_reports_come_in(
    client: TestClient, clock: FrozenClock
) -> None:
    calm = client.get("/api/reports/challenge").json()["maxnumber"]
    assert calm == CALM_WORK
    for _ in range(200):  # a flood: proofless, refused, but counted
        client.post("/api/reports", json=report())
    busy = client.get("/api/reports/challenge").json()["maxnumber"]
    assert busy >= 10 * calm
    clock.advance(minutes=15)  # the flood is over: the price falls back
    assert client.get("/api/reports/challenge").json()["maxnumber"] < 2 * calm


def test_expired_challenges_are_forgotten(
    client: TestClient, clock: FrozenClock, writer: Session, db: Session, settings: Settings
) -> None:
    assert client.post("/api/reports", json=report(proof=solved(client))).status_code == 201
    assert challenge.forget_expired(writer, clock.now(), settings) == 0
    clock.advance(minutes=settings.report_challenge_minutes, seconds=1)
    assert challenge.forget_expired(writer, clock.now(), settings) == 1
    writer.commit()
    assert count(db, SpentChallenge) == 0
