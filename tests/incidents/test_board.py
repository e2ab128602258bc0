"""The dispatcher board and the hotline entry: who may use them (every person of the cast),
what each dispatcher sees, and the live stream."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.events_helpers import Heard
from tests.reports.factories import (
    EASTSIDE_PIN,
    NOBODYS_PIN,
    WESTSIDE_PIN,
    add_zones,
    body,
    counts,
    hotline_body,
)
from vecinos.events import Topic
from vecinos.incidents.models import Incident, TimelineEvent
from vecinos.reports.models import Report, Source
from vecinos.web import sse

GUARDED = ["list", "detail", "transition", "stream", "hotline"]
PEOPLE = ["anonymous", "nadia", "elena", "dario", "rosa", "lucas", "wanda", "ada"]


def new_client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver")


@pytest.fixture
def board(app: FastAPI, cast: Cast, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    """Dario, signed in, with the zones in place."""
    add_zones(sessions, cast)
    with new_client(app) as client:
        cast.sign_in(client, cast.dario)
        yield client


def report(client: TestClient, pin: tuple[float, float], **extra: Any) -> dict[str, Any]:
    answer = client.post("/api/reports", json=body(pin, **extra))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def incident_of(db: Session, report_id: int) -> int:
    db.expire_all()
    found = db.scalar(select(Report.incident_id).where(Report.id == report_id))
    db.rollback()
    assert found is not None
    return found


def call(client: TestClient, route: str, incident_id: int) -> Any:
    if route == "list":
        return client.get("/api/incidents")
    if route == "detail":
        return client.get(f"/api/incidents/{incident_id}")
    if route == "transition":
        return client.post(f"/api/incidents/{incident_id}/transition", json={"to": "verifying"})
    if route == "stream":
        return client.get("/api/incidents/stream")
    return client.post("/api/reports/hotline", json=hotline_body())


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_use_the_board(
    app: FastAPI, cast: Cast, db: Session, sessions: sessionmaker[Session], person: str
) -> None:
    add_zones(sessions, cast)
    with new_client(app) as client:
        incident_id = incident_of(db, report(client, EASTSIDE_PIN)["report_id"])
        if person != "anonymous":
            cast.sign_in(client, getattr(cast, person))
        statuses = {route: call(client, route, incident_id).status_code for route in GUARDED}
        public = report(client, NOBODYS_PIN)  # public intake takes anyone's report
        assert client.get(f"/api/reports/status/{public['status_token']}").status_code == 200
    expected = {"anonymous": 401, "dario": 200}.get(person, 403)
    wanted = {r: 201 if (r == "hotline" and expected == 200) else expected for r in GUARDED}
    assert statuses == wanted


def test_a_dispatcher_sees_their_organizations_and_nobodys_incidents_only(
    board: TestClient, db: Session, cast: Cast
) -> None:
    east = incident_of(db, report(board, EASTSIDE_PIN)["report_id"])
    west = incident_of(db, report(board, WESTSIDE_PIN)["report_id"])
    nobodys = incident_of(db, report(board, NOBODYS_PIN)["report_id"])
    listed = {i["id"]: i for i in board.get("/api/incidents").json()}
    assert set(listed) == {east, nobodys}
    assert listed[east]["organization_id"] == cast.eastside
    assert listed[east]["label"] == "unverified" and listed[east]["verified"] is False
    refused = board.get(f"/api/incidents/{west}")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "incident_not_found"
    moved = board.post(f"/api/incidents/{west}/transition", json={"to": "verifying"})
    assert moved.status_code == 404


def test_filters(board: TestClient, db: Session, cast: Cast) -> None:
    first = incident_of(db, report(board, EASTSIDE_PIN)["report_id"])
    cast.clock.advance(hours=2)
    second = incident_of(db, report(board, NOBODYS_PIN)["report_id"])
    board.post(f"/api/incidents/{second}/transition", json={"to": "verifying"})

    def ids(**params: Any) -> set[int]:
        answer = board.get("/api/incidents", params=params)
        assert answer.status_code == 200, answer.text
        return {i["id"] for i in answer.json()}

    assert ids(state="reported") == {first}
    assert ids(state=["reported", "verifying"]) == {first, second}
    assert ids(organization_id=cast.eastside) == {first}
    assert ids(since=cast.clock.now().isoformat()) == {second}
    assert board.get("/api/incidents", params={"state": "rumour"}).status_code == 422


def test_callback_contacts_only_for_the_owning_organization(board: TestClient, db: Session) -> None:
    east = incident_of(db, report(board, EASTSIDE_PIN, callback_contact="555-0123")["report_id"])
    nobodys = incident_of(db, report(board, NOBODYS_PIN, callback_contact="555-0456")["report_id"])
    shown = board.get(f"/api/incidents/{east}").json()["reports"][0]
    assert shown["callback_contact"] == "555-0123" and shown["contact_withheld"] is False
    hidden = board.get(f"/api/incidents/{nobodys}").json()["reports"][0]
    assert hidden["callback_contact"] is None and hidden["contact_withheld"] is True
    assert "555-0456" not in board.get(f"/api/incidents/{nobodys}").text


def test_one_incident_with_reports_and_timeline(board: TestClient, db: Session) -> None:
    first = report(board, EASTSIDE_PIN, description="Two SUVs")
    report(board, (34.0503, -118.2503))
    incident_id = incident_of(db, first["report_id"])
    detail = board.get(f"/api/incidents/{incident_id}").json()
    assert (detail["report_count"], detail["source_count"]) == (2, 2)
    assert [r["description"] for r in detail["reports"]] == ["Two SUVs", None]
    assert [e["kind"] for e in detail["timeline"]] == ["opened", "report_added"]
    assert detail["assignments"] == []
    assert detail["cross_streets"] is None
    assert (detail["public_lat"], detail["public_lon"]) != (detail["lat"], detail["lon"])


def test_moving_an_incident_and_a_refused_move(board: TestClient, db: Session, cast: Cast) -> None:
    incident_id = incident_of(db, report(board, EASTSIDE_PIN)["report_id"])
    moved = board.post(
        f"/api/incidents/{incident_id}/transition",
        json={"to": "verifying", "note": "Rosa en route"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["incident"]["state"] == "verifying"
    assert moved.json()["event"]["actor_id"] == cast.dario.member_id
    before = counts(db)
    refused = board.post(f"/api/incidents/{incident_id}/transition", json={"to": "ended"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "transition_not_allowed"
    assert counts(db) == before
    assert board.get(f"/api/incidents/{incident_id}").json()["state"] == "verifying"
    unknown = board.post(f"/api/incidents/{incident_id}/transition", json={"to": "solved"})
    assert unknown.status_code == 422
    assert counts(db) == before


def test_hotline_reports_record_the_operator_and_the_source(
    board: TestClient, db: Session, cast: Cast
) -> None:
    call = hotline_body(caller_phone="+1 213 555 0100", callback_contact="+1 213 555 0100")
    key = {"Idempotency-Key": "hotline-call-17"}
    answer = board.post("/api/reports/hotline", json=call, headers=key)
    assert answer.status_code == 201, answer.text
    again = board.post("/api/reports/hotline", json=call, headers=key)  # the same call, again
    assert again.status_code == 200 and again.json() == answer.json()
    stored = db.scalars(select(Report)).one()
    assert stored.source == Source.HOTLINE and stored.entered_by_id == cast.dario.member_id
    assert "555" not in stored.source_hash
    assert answer.json()["incident_id"] == stored.incident_id
    refused = board.post("/api/reports/hotline", json={**hotline_body(), "device_token": "x" * 20})
    assert refused.status_code == 422  # the hotline form has no device token field
    assert counts(db)[0] == 1


def test_the_stream_carries_changes_the_dispatcher_may_see(
    board: TestClient, app: FastAPI, db: Session
) -> None:
    seen: dict[str, Any] = {}

    def meanwhile() -> None:
        time.sleep(0.3)
        with new_client(app) as resident:
            seen["east"] = report(resident, EASTSIDE_PIN)["report_id"]
            seen["west"] = report(resident, WESTSIDE_PIN)["report_id"]

    writer_thread = threading.Thread(target=meanwhile)
    writer_thread.start()
    answer = board.get("/api/incidents/stream")
    writer_thread.join()
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    # listening before anything was published
    assert answer.text.startswith(sse.READY.encode().decode())
    east, west = incident_of(db, seen["east"]), incident_of(db, seen["west"])
    assert f'"incident_id": {east}' in answer.text
    assert "event: incident" in answer.text and '"kind": "opened"' in answer.text
    assert f'"incident_id": {west}' not in answer.text


def test_a_rolled_back_change_is_never_streamed(
    db: Session, sessions: sessionmaker[Session], heard: Heard
) -> None:
    from vecinos.incidents import live

    with sessions() as session:
        incident = Incident(
            id=1, state="reported", organization_id=None, report_count=0, source_count=0
        )
        session.execute(select(Incident.id))  # the transaction has begun, as in a service
        live.note_change(session, incident, "opened")
        session.rollback()
        live.note_change(session, incident, "state_changed")
        session.commit()
    heard.wait_for(1)
    assert [c["kind"] for c in heard.payloads(Topic.INCIDENTS)] == ["state_changed"]
    assert db.scalar(select(TimelineEvent.id)) is None
