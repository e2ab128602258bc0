"""Courses, records and vetting through the API: who may, and every bad input refused whole."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from tests.training.factories import course
from vecinos.training.models import TrainingRecord

SignedIn = Callable[[Person], TestClient]


def records(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(TrainingRecord)) or 0


def test_a_coordinator_defines_a_course_and_records_it_with_who_vouched(
    signed_in: SignedIn, cast: Cast, db: Session
) -> None:
    elena = signed_in(cast.elena)
    made = elena.post(
        f"/api/organizations/{cast.eastside}/training/courses",
        json={"name": "Know your rights", "valid_days": 180, "duties": ["legal_observer"]},
    )
    assert made.status_code == 201, made.text
    record = {
        "course_id": made.json()["id"],
        "member_id": cast.rosa.member_id,
        "completed_at": (cast.clock.now() - timedelta(days=2)).isoformat(),
        "vouched_by_id": cast.dario.member_id,
    }
    answer = elena.post(f"/api/organizations/{cast.eastside}/training/records", json=record)
    assert answer.status_code == 201, answer.text
    assert answer.json()["current"] and answer.json()["vouched_by_id"] == cast.dario.member_id
    rosa = signed_in(cast.rosa)
    standing = rosa.get("/api/me/training").json()
    assert standing[0]["level"] == "new"
    assert [r["course_id"] for r in standing[0]["records"]] == [made.json()["id"]]


def test_a_record_of_another_organizations_course_or_person_is_refused(
    signed_in: SignedIn, cast: Cast, sessions: sessionmaker[Session], db: Session
) -> None:
    theirs = course(sessions, cast, organization_id=cast.westside)
    ours = course(sessions, cast)
    elena = signed_in(cast.elena)
    path = f"/api/organizations/{cast.eastside}/training/records"
    base = {
        "course_id": ours,
        "member_id": cast.rosa.member_id,
        "completed_at": cast.clock.now().isoformat(),
        "vouched_by_id": cast.elena.member_id,
    }
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"course_id": theirs}, 404, "course_not_in_organization"),
        ({"member_id": cast.wanda.member_id}, 404, "member_not_found"),
        ({"vouched_by_id": cast.nadia.member_id}, 404, "member_not_found"),
        (
            {"completed_at": (cast.clock.now() + timedelta(days=1)).isoformat()},
            422,
            "completed_in_future",
        ),
    ]
    for change, status, code in cases:
        answer = elena.post(path, json={**base, **change})
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    assert records(db) == 0


def test_only_coordinators_record_and_vet(signed_in: SignedIn, cast: Cast, db: Session) -> None:
    path = f"/api/organizations/{cast.eastside}/training"
    for person in (cast.rosa, cast.dario, cast.wanda):
        client = signed_in(person)
        assert (
            client.put(
                f"{path}/members/{cast.rosa.member_id}/level", json={"level": "trusted"}
            ).status_code
            == 403
        )
        assert client.post(f"{path}/courses", json={"name": "x"}).status_code == 403
    assert signed_in(cast.rosa).get(f"{path}/courses").status_code == 200
    assert signed_in(cast.wanda).get(f"{path}/courses").status_code == 403
    assert signed_in(cast.dario).get(f"{path}/records").status_code == 200
    assert signed_in(cast.rosa).get(f"{path}/records").status_code == 403


def test_a_coordinator_sets_a_vetting_level_of_her_own_organizations_members_only(
    signed_in: SignedIn, cast: Cast, db: Session
) -> None:
    elena = signed_in(cast.elena)
    path = f"/api/organizations/{cast.eastside}/training/members"
    outsider = elena.put(f"{path}/{cast.wanda.member_id}/level", json={"level": "vetted"})
    assert (outsider.status_code, outsider.json()["error"]["code"]) == (404, "member_not_found")
    made = elena.put(f"{path}/{cast.rosa.member_id}/level", json={"level": "vetted"})
    assert made.status_code == 200, made.text
    assert [s["level"] for s in signed_in(cast.rosa).get("/api/me/training").json()] == ["vetted"]
    audit = elena.get(f"/api/organizations/{cast.eastside}/audit").json()
    (entry,) = [e for e in audit if e["action"] == "training.vetting_set"]
    assert entry["actor_id"] == cast.elena.member_id
    assert entry["detail"] == {"member_id": cast.rosa.member_id, "level": "vetted"}
