"""The structured observer report filed with a finding: stored, on the timeline, and refused
whole when it carries what it must not (an officer's badge or plate, a family's phone)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.dispatch.factories import client_for, make_incident, north, on_shift
from vecinos.dispatch.models import Offer, OfferState
from vecinos.dispatch.observer_models import ObserverReport
from vecinos.incidents.models import TimelineEvent


@pytest.fixture
def assignment(
    app: FastAPI, cast: Cast, sessions: sessionmaker[Session]
) -> Iterator[tuple[TestClient, int, int]]:
    """Rosa on scene of an Eastside incident: her client, the offer, the incident."""
    on_shift(sessions, cast, cast.rosa, north(200))
    incident_id = make_incident(sessions, cast)
    with client_for(app, cast, cast.dario) as dispatcher:
        assert dispatcher.post(f"/api/incidents/{incident_id}/dispatch", json={}).status_code == 201
    with client_for(app, cast, cast.rosa) as rosa:
        offer_id = rosa.get("/api/offers").json()[0]["id"]
        assert rosa.post(f"/api/offers/{offer_id}/accept").status_code == 200
        assert rosa.post(f"/api/offers/{offer_id}/on-scene").status_code == 200
        yield rosa, offer_id, incident_id


def full_report(cast: Cast) -> dict[str, Any]:
    now = cast.clock.now()
    return {
        "agents": 6,
        "vehicles": 3,
        "activity": "arrest_in_progress",
        "agencies": ["ice", "unmarked", "ice"],
        "equipment": ["body_armour", "face_coverings"],
        "vehicles_seen": [{"type": "suv", "colour": "black"}, {"type": "van", "colour": "white"}],
        "warrant": "administrative",
        "detained": 2,
        "agents_arrived_at": (now - timedelta(minutes=40)).isoformat(),
        "agents_left_at": (now - timedelta(minutes=5)).isoformat(),
        "needs": ["legal_help", "childcare"],
        "needs_note": "The children are with a neighbour until evening.",
    }


def file(rosa: TestClient, offer_id: int, report: dict[str, Any]) -> Any:
    body = {"finding": "confirmed", "note": "Arrest outside the market", "observer_report": report}
    return rosa.post(f"/api/offers/{offer_id}/finding", json=body)


def test_a_full_report_is_stored_and_goes_on_the_timeline(
    assignment: tuple[TestClient, int, int], cast: Cast, db: Session
) -> None:
    rosa, offer_id, incident_id = assignment
    answer = file(rosa, offer_id, full_report(cast))
    assert answer.status_code == 200, answer.text
    report = db.scalars(select(ObserverReport)).one()
    assert (report.offer_id, report.incident_id) == (offer_id, incident_id)
    assert report.agencies == ["ice", "unmarked"]  # each once
    assert report.warrant == "administrative" and report.detained == 2
    assert report.agents_left_at is not None and report.agents_arrived_at is not None
    assert report.agents_left_at - report.agents_arrived_at == timedelta(minutes=35)
    event = db.scalars(select(TimelineEvent).where(TimelineEvent.kind == "dispatch.finding")).one()
    facts = event.payload["observer_report"]
    assert facts["vehicles_seen"] == [
        {"type": "suv", "colour": "black"},
        {"type": "van", "colour": "white"},
    ]
    assert facts["warrant"] == "administrative" and facts["needs"] == ["childcare", "legal_help"]
    assert facts["needs_note"] == "The children are with a neighbour until evening."


def test_the_dispatcher_sees_the_report_with_the_offer(
    app: FastAPI, assignment: tuple[TestClient, int, int], cast: Cast
) -> None:
    rosa, offer_id, incident_id = assignment
    assert file(rosa, offer_id, full_report(cast)).status_code == 200
    with client_for(app, cast, cast.dario) as dispatcher:
        offers = dispatcher.get(f"/api/incidents/{incident_id}/dispatch").json()["offers"]
    report = next(o for o in offers if o["id"] == offer_id)["observer_report"]
    assert report["detained"] == 2 and report["agencies"] == ["ice", "unmarked"]


def test_a_finding_without_a_report_still_works(
    assignment: tuple[TestClient, int, int], db: Session
) -> None:
    rosa, offer_id, _incident = assignment
    answer = rosa.post(f"/api/offers/{offer_id}/finding", json={"finding": "not_found"})
    assert answer.status_code == 200, answer.text
    assert db.scalars(select(ObserverReport)).all() == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"badge": "4471"}, "invalid_input"),  # no field for an officer, so none rides along
        ({"plate": "7ABC123"}, "invalid_input"),
        ({"warrant": "signed"}, "invalid_input"),
        ({"needs_note": "Call her sister at 213-555-0142"}, "observer_note_identifies"),
        ({"needs_note": "Officer Ramirez took him"}, "observer_note_identifies"),
        ({"needs_note": "They left in plate 7ABC123"}, "observer_note_identifies"),
        ({"agents_left_at": "2020-01-01T00:00:00+00:00"}, "time_too_old"),
        ({"agents_arrived_at": "2099-01-01T00:00:00+00:00"}, "time_in_future"),
        ({"agents_arrived_at": "2026-12-01T10:00:00"}, "time_without_zone"),
        ({"agents": -1}, "invalid_input"),
    ],
)
def test_a_bad_report_is_refused_whole(
    assignment: tuple[TestClient, int, int],
    cast: Cast,
    db: Session,
    change: dict[str, Any],
    code: str,
) -> None:
    rosa, offer_id, _incident = assignment
    answer = file(rosa, offer_id, full_report(cast) | change)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == code
    assert db.scalars(select(ObserverReport)).all() == []
    offer = db.get(Offer, offer_id)
    assert offer is not None and offer.state == OfferState.ON_SCENE  # nothing partial


def test_agents_cannot_leave_before_they_arrived(
    assignment: tuple[TestClient, int, int], cast: Cast
) -> None:
    rosa, offer_id, _incident = assignment
    now = cast.clock.now()
    times = {
        "agents_arrived_at": (now - timedelta(minutes=5)).isoformat(),
        "agents_left_at": (now - timedelta(minutes=30)).isoformat(),
    }
    answer = file(rosa, offer_id, full_report(cast) | times)
    assert answer.json()["error"]["code"] == "left_before_arrived"
    assert answer.json()["error"]["message"] == "Los agentes no pueden haberse ido antes de llegar."
