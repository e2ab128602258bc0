"""Asking for verification, answering offers, findings: the loop through the HTTP API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.dispatch.factories import (
    add_responder,
    client_for,
    make_incident,
    north,
    offered_members,
    offers_of,
    on_shift,
    timeline_kinds,
)
from tests.events_helpers import Heard
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.dispatch.models import DispatchRequest, Offer, OfferState, RequestState, Stage
from vecinos.events import Topic
from vecinos.incidents.models import Incident, IncidentState


@pytest.fixture
def dispatcher(app: FastAPI, cast: Cast) -> Iterator[TestClient]:
    with client_for(app, cast, cast.dario) as client:
        yield client


@pytest.fixture
def crew(sessions: sessionmaker[Session], cast: Cast) -> dict[str, int]:
    """Rosa 200 m away, then Ana (400 m), Bruno (600 m), Carla (800 m), Diego (1 km)."""
    on_shift(sessions, cast, cast.rosa, north(200))
    for name, metres in (("ana", 400), ("bruno", 600), ("carla", 800), ("diego", 1000)):
        on_shift(sessions, cast, add_responder(sessions, cast, name), north(metres))
    return {
        name: cast.people[name].member_id for name in ("rosa", "ana", "bruno", "carla", "diego")
    }


def ask(client: TestClient, incident_id: int, **needs: object):  # type: ignore[no-untyped-def]
    return client.post(f"/api/incidents/{incident_id}/dispatch", json=needs)


def test_asking_for_verification_offers_the_nearest_few(
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    answer = ask(dispatcher, incident_id)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["state"] == "open"
    assert [o["display_name"] for o in body["offers"]] == ["Rosa", "Ana", "Bruno"]
    assert [o["rank"] for o in body["offers"]] == [1, 2, 3]
    incident = db.get(Incident, incident_id)
    assert incident is not None
    assert incident.state == IncidentState.VERIFYING
    kinds = timeline_kinds(db, incident_id)
    assert kinds[:2] == ["state_changed", "dispatch.requested"]
    assert kinds.count("dispatch.offered") == 3


def test_capabilities_asked_for_are_preferred(
    dispatcher: TestClient, sessions: sessionmaker[Session], cast: Cast
) -> None:
    on_shift(sessions, cast, cast.rosa, north(100))
    ana = add_responder(sessions, cast, "ana")
    on_shift(sessions, cast, ana, north(900), legal_observer=True, languages=("es",))
    incident_id = make_incident(sessions, cast)
    offers = ask(dispatcher, incident_id, legal_observer=True, language="es").json()["offers"]
    assert [o["display_name"] for o in offers] == ["Ana", "Rosa"]


def test_only_one_request_per_incident(
    dispatcher: TestClient, crew: dict[str, int], sessions: sessionmaker[Session], cast: Cast
) -> None:
    incident_id = make_incident(sessions, cast)
    assert ask(dispatcher, incident_id).status_code == 201
    again = ask(dispatcher, incident_id)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "verification_already_requested"


def test_a_settled_incident_cannot_be_sent_for_verification(
    dispatcher: TestClient, crew: dict[str, int], sessions: sessionmaker[Session], cast: Cast
) -> None:
    incident_id = make_incident(sessions, cast, state=IncidentState.ENDED)
    refused = ask(dispatcher, incident_id)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "transition_not_allowed"


def test_accepting_staffs_it_and_withdraws_the_other_offers(
    app: FastAPI,
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    ask(dispatcher, incident_id)
    with client_for(app, cast, cast.ana) as ana, client_for(app, cast, cast.rosa) as rosa:
        mine = ana.get("/api/offers").json()
        assert len(mine) == 1
        assert mine[0]["incident_id"] == incident_id
        assert "distancia legal" in mine[0]["guidance"]  # the default language is Spanish
        english = ana.get("/api/offers?lang=en").json()[0]["guidance"]
        assert "lawful distance" in english
        accepted = ana.post(f"/api/offers/{mine[0]['id']}/accept")
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["state"] == "accepted"

        rosas = offers_of(db, incident_id)[0]
        late = rosa.post(f"/api/offers/{rosas.id}/accept")
        assert late.status_code == 409
        assert late.json()["error"]["code"] == "offer_withdrawn"
        assert rosa.get("/api/offers").json() == []
    status = dispatcher.get(f"/api/incidents/{incident_id}/dispatch").json()
    assert status["state"] == "staffed"
    assert status["accepted"] == 1
    states = {o["display_name"]: o["state"] for o in status["offers"]}
    assert states == {"Rosa": "withdrawn", "Ana": "accepted", "Bruno": "withdrawn"}
    assert "dispatch.accepted" in timeline_kinds(db, incident_id)
    assert "dispatch.withdrawn" in timeline_kinds(db, incident_id)


def test_an_expired_offer_answers_410(
    app: FastAPI,
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
) -> None:
    incident_id = make_incident(sessions, cast)
    ask(dispatcher, incident_id)
    with client_for(app, cast, cast.rosa) as rosa:
        offer_id = rosa.get("/api/offers").json()[0]["id"]
        cast.clock.advance(seconds=settings.dispatch_offer_seconds + 1)
        late = rosa.post(f"/api/offers/{offer_id}/accept")
        assert late.status_code == 410
        assert late.json()["error"]["code"] == "offer_expired"
        assert rosa.post(f"/api/offers/{offer_id}/decline").status_code == 410


def test_someone_elses_offer_is_not_found(
    app: FastAPI,
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    ask(dispatcher, incident_id)
    carla_never_offered = offers_of(db, incident_id)[0].id  # Rosa's offer
    with client_for(app, cast, cast.carla) as carla:
        answer = carla.post(f"/api/offers/{carla_never_offered}/accept")
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "offer_not_found"


def test_when_everyone_declines_the_next_responders_are_asked_at_once(
    app: FastAPI,
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    ask(dispatcher, incident_id)
    for name in ("rosa", "ana", "bruno"):
        with client_for(app, cast, cast.people[name]) as responder:
            offer_id = responder.get("/api/offers").json()[0]["id"]
            declined = responder.post(f"/api/offers/{offer_id}/decline")
            assert declined.status_code == 200, declined.text
            assert declined.json()["state"] == "declined"
            again = responder.post(f"/api/offers/{offer_id}/decline")
            assert again.json()["error"]["code"] == "offer_already_answered"
    assert offered_members(db, incident_id, 2) == [crew["carla"], crew["diego"]]
    assert "dispatch.escalated" in timeline_kinds(db, incident_id)


def test_the_full_loop_to_a_confirmed_incident(
    app: FastAPI,
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    ask(dispatcher, incident_id)
    with client_for(app, cast, cast.rosa) as rosa:
        offer_id = rosa.get("/api/offers").json()[0]["id"]
        early = rosa.post(f"/api/offers/{offer_id}/on-scene")
        assert early.status_code == 409
        assert early.json()["error"]["code"] == "offer_step_not_allowed"
        assert rosa.post(f"/api/offers/{offer_id}/accept").status_code == 200
        busy = rosa.post("/api/shifts/current/check-out")
        assert busy.json()["error"]["code"] == "assignment_in_progress"
        assert rosa.post(f"/api/offers/{offer_id}/en-route").json()["state"] == "en_route"
        assert rosa.post(f"/api/offers/{offer_id}/on-scene").json()["state"] == "on_scene"
        found = rosa.post(
            f"/api/offers/{offer_id}/finding",
            json={"finding": "confirmed", "note": "Two vans parked at the corner."},
        )
        assert found.status_code == 200, found.text
        assert found.json()["finding"] == "confirmed"
        assert rosa.post(f"/api/offers/{offer_id}/en-route").status_code == 409
        assert rosa.post("/api/shifts/current/check-out").status_code == 200
    incident = db.get(Incident, incident_id)
    assert incident is not None
    db.refresh(incident)
    assert incident.state == IncidentState.CONFIRMED
    kinds = timeline_kinds(db, incident_id)
    order = ["dispatch.accepted", "dispatch.en_route", "dispatch.on_scene", "dispatch.finding"]
    assert [k for k in kinds if k in order] == order
    assert kinds[-1] == "state_changed"
    status = dispatcher.get(f"/api/incidents/{incident_id}/dispatch").json()
    assert status["offers"][0]["finding_note"] == "Two vans parked at the corner."


@pytest.mark.parametrize("finding", ["not_found", "different_activity"])
def test_other_findings_leave_the_verdict_to_the_dispatcher(
    finding: str,
    app: FastAPI,
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    ask(dispatcher, incident_id)
    with client_for(app, cast, cast.rosa) as rosa:
        offer_id = rosa.get("/api/offers").json()[0]["id"]
        rosa.post(f"/api/offers/{offer_id}/accept")
        answer = rosa.post(f"/api/offers/{offer_id}/finding", json={"finding": finding})
        assert answer.status_code == 200, answer.text
    incident = db.get(Incident, incident_id)
    assert incident is not None
    assert incident.state == IncidentState.VERIFYING


def test_an_unknown_finding_is_refused(
    app: FastAPI,
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
) -> None:
    incident_id = make_incident(sessions, cast)
    ask(dispatcher, incident_id)
    with client_for(app, cast, cast.rosa) as rosa:
        offer_id = rosa.get("/api/offers").json()[0]["id"]
        rosa.post(f"/api/offers/{offer_id}/accept")
        bad = rosa.post(f"/api/offers/{offer_id}/finding", json={"finding": "maybe"})
        assert bad.status_code == 422


def test_cancelling_withdraws_offers_and_assignments(
    app: FastAPI,
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    ask(dispatcher, incident_id)
    with client_for(app, cast, cast.rosa) as rosa:
        offer_id = rosa.get("/api/offers").json()[0]["id"]
        rosa.post(f"/api/offers/{offer_id}/accept")
        cancelled = dispatcher.post(f"/api/incidents/{incident_id}/dispatch/cancel")
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["state"] == "cancelled"
        gone = rosa.post(f"/api/offers/{offer_id}/en-route")
        assert gone.status_code == 409
        assert gone.json()["error"]["code"] == "offer_withdrawn"
    assert {o.state for o in offers_of(db, incident_id)} == {OfferState.WITHDRAWN}
    again = dispatcher.post(f"/api/incidents/{incident_id}/dispatch/cancel")
    assert again.json()["error"]["code"] == "dispatch_not_open"


def test_checking_out_hands_pending_offers_on(
    app: FastAPI,
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    ask(dispatcher, incident_id)
    with client_for(app, cast, cast.rosa) as rosa:
        assert rosa.post("/api/shifts/current/check-out").status_code == 200
    assert offers_of(db, incident_id)[0].state == OfferState.DECLINED


def test_partner_volunteers_stay_anonymous_to_the_dispatcher(
    dispatcher: TestClient, sessions: sessionmaker[Session], cast: Cast
) -> None:
    walter = add_responder(sessions, cast, "walter", cast.westside)
    on_shift(sessions, cast, walter, north(300), organization_id=cast.westside)
    incident_id = make_incident(sessions, cast)
    body = ask(dispatcher, incident_id).json()
    assert body["stage"] == "partners"
    assert body["offers"][0]["organization_id"] == cast.westside
    assert body["offers"][0]["display_name"] is None
    assert body["offers"][0]["member_id"] is None


def test_an_unowned_incident_needs_the_dispatching_organization(
    dispatcher: TestClient, crew: dict[str, int], sessions: sessionmaker[Session], cast: Cast
) -> None:
    incident_id = make_incident(sessions, cast, organization_id=None)
    answer = ask(dispatcher, incident_id)  # Dario dispatches for Eastside only
    assert answer.status_code == 201, answer.text
    assert answer.json()["organization_id"] == cast.eastside
    other = make_incident(sessions, cast, organization_id=None)
    refused = ask(dispatcher, other, organization_id=cast.westside)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_your_organization"


def test_dispatch_steps_reach_live_boards_after_commit(
    app: FastAPI,
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
    heard: Heard,
) -> None:
    def kinds() -> list[str]:
        changes = heard.payloads(Topic.INCIDENTS)
        return [c["kind"] for c in changes if c["incident_id"] == incident_id]

    incident_id = make_incident(sessions, cast)
    ask(dispatcher, incident_id)
    assert heard.wait_until(lambda: "dispatch" in kinds())
    asked = len(kinds())
    with client_for(app, cast, cast.rosa) as rosa:
        offer_id = rosa.get("/api/offers").json()[0]["id"]
        rosa.post(f"/api/offers/{offer_id}/accept")
    assert heard.wait_until(lambda: "dispatch" in kinds()[asked:])


def test_accepting_one_offer_hands_the_responders_other_offers_on(
    app: FastAPI,
    dispatcher: TestClient,
    crew: dict[str, int],
    sessions: sessionmaker[Session],
    cast: Cast,
    db: Session,
    settings: Settings,
) -> None:
    first = make_incident(sessions, cast)
    ask(dispatcher, first)
    second = make_incident(sessions, cast)
    now = cast.clock.now()
    with transaction(sessions) as session:  # as if two dispatchers had asked Rosa at once
        request = DispatchRequest(
            incident_id=second,
            organization_id=cast.eastside,
            requested_at=now,
            state=RequestState.OPEN,
            stage=Stage.NEAR,
            round=1,
            radius_m=3000,
            needed=1,
            accepted=0,
            deadline_at=now + timedelta(seconds=settings.dispatch_offer_seconds),
        )
        session.add(request)
        session.flush()
        session.add(
            Offer(
                request_id=request.id,
                incident_id=second,
                member_id=crew["rosa"],
                organization_id=cast.eastside,
                round=1,
                rank=1,
                state=OfferState.OFFERED,
                offered_at=now,
                expires_at=request.deadline_at,
            )
        )
    with client_for(app, cast, cast.rosa) as rosa:
        mine = {o["incident_id"]: o["id"] for o in rosa.get("/api/offers").json()}
        assert set(mine) == {first, second}
        assert rosa.post(f"/api/offers/{mine[first]}/accept").status_code == 200
        assert [o["incident_id"] for o in rosa.get("/api/offers").json()] == [first]
    assert offers_of(db, second)[0].state == OfferState.DECLINED
    # Ana and Bruno were freed when Rosa took the first incident.
    assert offered_members(db, second, 2) == [crew["ana"], crew["bruno"], crew["carla"]]
