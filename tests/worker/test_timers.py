"""Offer time-outs and escalation, driven by the worker with a controllable clock."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.dispatch.factories import (
    add_responder,
    make_incident,
    north,
    offered_members,
    offers_of,
    on_shift,
)
from tests.worker.helpers import ask_for_verification, count_events, request_row
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.dispatch.escalation import escalate, escalate_due
from vecinos.dispatch.models import OfferState, RequestState, Stage
from vecinos.incidents.models import Incident, IncidentState
from vecinos.incidents.service import transition
from vecinos.worker.runner import Worker


@pytest.fixture
def crew(sessions: sessionmaker[Session], cast: Cast) -> dict[str, int]:
    """Five Eastside responders 200 m to 1 km north of the scene, nearest first."""
    on_shift(sessions, cast, cast.rosa, north(200))
    for name, metres in (("ana", 400), ("bruno", 600), ("carla", 800), ("diego", 1000)):
        on_shift(sessions, cast, add_responder(sessions, cast, name), north(metres))
    return {
        name: cast.people[name].member_id for name in ("rosa", "ana", "bruno", "carla", "diego")
    }


def worker(sessions: sessionmaker[Session], settings: Settings, cast: Cast) -> Worker:
    return Worker(sessions, settings, cast.clock)


def test_an_unanswered_round_escalates_to_the_next_responders(
    sessions: sessionmaker[Session],
    settings: Settings,
    cast: Cast,
    crew: dict[str, int],
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    request_id = ask_for_verification(sessions, cast, settings, incident_id)
    first = worker(sessions, settings, cast)
    assert first.tick().get("dispatch.escalate") == 0  # nothing due yet

    cast.clock.advance(seconds=settings.dispatch_offer_seconds - 1)
    assert first.tick().get("dispatch.escalate", 0) == 0
    cast.clock.advance(seconds=1)
    assert first.tick()["dispatch.escalate"] == 1

    assert offered_members(db, incident_id, 2) == [crew["carla"], crew["diego"]]
    round_one = [o for o in offers_of(db, incident_id) if o.round == 1]
    assert {o.state for o in round_one} == {OfferState.EXPIRED}
    assert count_events(db, incident_id, "dispatch.offer_expired") == 3
    assert count_events(db, incident_id, "dispatch.escalated") == 1
    assert request_row(db, request_id).round == 2


def test_a_restarted_worker_finds_the_due_work(
    sessions: sessionmaker[Session],
    settings: Settings,
    cast: Cast,
    crew: dict[str, int],
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    ask_for_verification(sessions, cast, settings, incident_id)
    worker(sessions, settings, cast).tick()  # the first process, then it stops
    cast.clock.advance(minutes=10)  # ... and is down while the offers run out
    restarted = worker(sessions, settings, cast)
    assert restarted.tick()["dispatch.escalate"] == 1
    assert offered_members(db, incident_id, 2) == [crew["carla"], crew["diego"]]


def test_two_workers_on_the_same_tick_escalate_once(
    sessions: sessionmaker[Session],
    settings: Settings,
    cast: Cast,
    crew: dict[str, int],
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    ask_for_verification(sessions, cast, settings, incident_id)
    cast.clock.advance(seconds=settings.dispatch_offer_seconds)
    one, two = worker(sessions, settings, cast), worker(sessions, settings, cast)
    results = [one.tick().get("dispatch.escalate"), two.tick().get("dispatch.escalate")]
    assert results == [1, None]  # the second did not even get the job's turn
    assert count_events(db, incident_id, "dispatch.escalated") == 1
    assert len(offered_members(db, incident_id, 2)) == 2


def test_concurrent_sweeps_claim_each_request_once(
    sessions: sessionmaker[Session],
    settings: Settings,
    cast: Cast,
    crew: dict[str, int],
    db: Session,
) -> None:
    """Below the job schedule: two sweeps at the same moment, on two connections."""
    incident_id = make_incident(sessions, cast)
    ask_for_verification(sessions, cast, settings, incident_id)
    cast.clock.advance(seconds=settings.dispatch_offer_seconds)
    barrier = threading.Barrier(2)
    moved: list[int] = []

    def sweep() -> None:
        barrier.wait()
        with transaction(sessions) as session:
            moved.append(escalate_due(session, cast.clock.now(), settings))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(moved) == [0, 1]
    assert count_events(db, incident_id, "dispatch.escalated") == 1
    assert len(offered_members(db, incident_id)) == 5


def test_a_stale_claim_loses(
    sessions: sessionmaker[Session],
    settings: Settings,
    cast: Cast,
    crew: dict[str, int],
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    request_id = ask_for_verification(sessions, cast, settings, incident_id)
    now = cast.clock.advance(seconds=settings.dispatch_offer_seconds)
    with transaction(sessions) as session:
        request = request_row(session, request_id)
        assert escalate(
            session, request, seen_round=1, reason="timeout", now=now, settings=settings
        )
    with transaction(sessions) as session:
        request = request_row(session, request_id)
        # Someone who read round 1 before the first escalation committed must not move it again.
        assert not escalate(
            session, request, seen_round=1, reason="timeout", now=now, settings=settings
        )
    assert request_row(db, request_id).round == 2


def test_the_ladder_widens_then_asks_partners_then_gives_up(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast, db: Session
) -> None:
    on_shift(sessions, cast, cast.rosa, north(1000))
    ana = add_responder(sessions, cast, "ana")
    on_shift(sessions, cast, ana, north(5000))  # beyond the first 3 km, within 6 km
    walter = add_responder(sessions, cast, "walter", cast.westside)
    on_shift(sessions, cast, walter, north(500), organization_id=cast.westside)
    incident_id = make_incident(sessions, cast)
    request_id = ask_for_verification(sessions, cast, settings, incident_id)
    runner = worker(sessions, settings, cast)
    expected = [
        (2, Stage.WIDER, 6000, ana.member_id),
        (3, Stage.PARTNERS, settings.dispatch_max_radius_m, walter.member_id),
    ]
    assert offered_members(db, incident_id, 1) == [cast.rosa.member_id]
    for round_, stage, radius, member_id in expected:
        cast.clock.advance(seconds=settings.dispatch_offer_seconds)
        assert runner.tick()["dispatch.escalate"] == 1
        request = request_row(db, request_id)
        assert (request.round, request.stage, request.radius_m) == (round_, stage, radius)
        assert offered_members(db, incident_id, round_) == [member_id]
    cast.clock.advance(seconds=settings.dispatch_offer_seconds)
    runner.tick()
    assert request_row(db, request_id).state == RequestState.EXHAUSTED
    assert count_events(db, incident_id, "dispatch.widened") == 4  # 6, 12, 15 km, partners
    assert count_events(db, incident_id, "dispatch.exhausted") == 1
    cast.clock.advance(minutes=30)
    assert runner.tick().get("dispatch.escalate") == 0  # an exhausted request stays put


def test_a_settled_incident_closes_its_request(
    sessions: sessionmaker[Session],
    settings: Settings,
    cast: Cast,
    crew: dict[str, int],
    db: Session,
) -> None:
    incident_id = make_incident(sessions, cast)
    request_id = ask_for_verification(sessions, cast, settings, incident_id)
    with transaction(sessions) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        transition(session, incident, IncidentState.UNFOUNDED, actor_id=None, now=cast.clock.now())
    cast.clock.advance(seconds=settings.dispatch_offer_seconds)
    worker(sessions, settings, cast).tick()
    assert request_row(db, request_id).state == RequestState.CLOSED
    assert offered_members(db, incident_id, 2) == []
    assert {o.state for o in offers_of(db, incident_id)} == {OfferState.EXPIRED}
