"""Requirements gate offers: an arrest in progress, or a request for a legal observer, goes
only to vetted volunteers whose observer training has not expired."""

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
    on_shift,
)
from tests.training.factories import qualify
from vecinos.db import transaction
from vecinos.incidents.models import Incident
from vecinos.training.models import Duty, VettingLevel
from vecinos.vocabulary import Activity


@pytest.fixture
def dispatcher(app: FastAPI, cast: Cast) -> Iterator[TestClient]:
    client = client_for(app, cast, cast.dario)
    yield client
    client.close()


def arrest(sessions: sessionmaker[Session], cast: Cast) -> int:
    incident_id = make_incident(sessions, cast)
    with transaction(sessions) as db:
        incident = db.get(Incident, incident_id)
        assert incident is not None
        incident.activity = Activity.ARREST_IN_PROGRESS.value
    return incident_id


def test_an_arrest_in_progress_is_offered_only_to_trained_vetted_volunteers(
    dispatcher: TestClient, sessions: sessionmaker[Session], cast: Cast, db: Session
) -> None:
    on_shift(sessions, cast, cast.rosa, north(100))  # nearest, untrained
    ana = add_responder(sessions, cast, "ana")
    qualify(sessions, cast, ana, level=VettingLevel.NEW)  # trained, not vetted
    on_shift(sessions, cast, ana, north(200))
    bea = add_responder(sessions, cast, "bea")
    qualify(sessions, cast, bea, Duty.ACCOMPANIMENT)  # vetted, trained for something else
    on_shift(sessions, cast, bea, north(300))
    cruz = add_responder(sessions, cast, "cruz")
    on_shift(sessions, cast, cruz, north(2500), legal_observer=True)  # far, but qualified
    incident_id = arrest(sessions, cast)
    answer = dispatcher.post(f"/api/incidents/{incident_id}/dispatch", json={})
    assert answer.status_code == 201, answer.text
    assert offered_members(db, incident_id) == [cruz.member_id]


def test_expired_training_stops_counting(
    app: FastAPI, sessions: sessionmaker[Session], cast: Cast, db: Session
) -> None:
    qualify(sessions, cast, cast.rosa, completed_at=cast.clock.now() - timedelta(days=364))
    cast.clock.advance(days=1, seconds=5)  # the course's 365 days are over
    on_shift(sessions, cast, cast.rosa, north(100))
    dispatcher = client_for(app, cast, cast.dario)
    incident_id = arrest(sessions, cast)
    assert dispatcher.post(f"/api/incidents/{incident_id}/dispatch", json={}).status_code == 201
    assert offered_members(db, incident_id) == []
    ordinary = make_incident(sessions, cast)  # everyday verification asks for no training
    assert dispatcher.post(f"/api/incidents/{ordinary}/dispatch", json={}).status_code == 201
    assert offered_members(db, ordinary) == [cast.rosa.member_id]
    dispatcher.close()


def test_an_offer_accepted_in_time_by_someone_whose_training_lapsed_meanwhile_is_refused(
    dispatcher: TestClient, app: FastAPI, sessions: sessionmaker[Session], cast: Cast
) -> None:
    # Offers last 120 s: the record expires 60 s after the offer goes out.
    qualify(
        sessions, cast, cast.rosa, completed_at=cast.clock.now() - timedelta(days=365, seconds=-60)
    )
    on_shift(sessions, cast, cast.rosa, north(100))
    incident_id = arrest(sessions, cast)
    assert dispatcher.post(f"/api/incidents/{incident_id}/dispatch", json={}).status_code == 201
    offer_id = dispatcher.get(f"/api/incidents/{incident_id}/dispatch").json()["offers"][0]["id"]
    cast.clock.advance(seconds=90)
    rosa = client_for(app, cast, cast.rosa)
    refused = rosa.post(f"/api/offers/{offer_id}/accept")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_trained"
    rosa.close()
