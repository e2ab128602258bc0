"""Who may add, see and export evidence, for every person of the cast; originals audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from tests.dispatch.factories import add_responder, client_for
from tests.evidence.helpers import photo_with_gps, upload
from vecinos.accounts.models import AuditEvent
from vecinos.db import transaction
from vecinos.dispatch.models import DispatchRequest, Offer, OfferState, RequestState, Stage

SignedIn = Callable[[Person], TestClient]
CAST = ("elena", "dario", "rosa", "lucas", "wanda", "ada", "nadia")
# What each person gets from an Eastside incident's evidence.
EXPECTED = {
    #         upload list public original export hold
    "elena": (403, 200, 200, 403, 403, 403),  # Eastside coordinator
    "dario": (201, 200, 200, 200, 403, 403),  # Eastside dispatcher
    "rosa": (201, 200, 200, 403, 403, 403),  # Eastside responder
    "lucas": (201, 200, 200, 200, 200, 200),  # Eastside legal
    "wanda": (403, 404, 404, 404, 403, 403),  # Westside coordinator
    "ada": (403, 404, 404, 404, 403, 403),  # coalition admin
    "nadia": (403, 404, 404, 404, 403, 403),  # signed in, no role anywhere
}


@pytest.fixture
def photo(signed_in: SignedIn, cast: Cast, incident: int) -> int:
    answer = upload(signed_in(cast.rosa), incident, photo_with_gps())
    assert answer.status_code == 201
    media_id: int = answer.json()["id"]
    return media_id


@pytest.mark.parametrize("name", CAST)
def test_access_rules(
    name: str, signed_in: SignedIn, cast: Cast, incident: int, photo: int, db: Session
) -> None:
    client = signed_in(cast.people[name])
    got = (
        upload(client, incident, photo_with_gps()).status_code,
        client.get(f"/api/incidents/{incident}/media").status_code,
        client.get(f"/api/media/{photo}/public").status_code,
        client.get(f"/api/media/{photo}/original").status_code,
        client.get(f"/api/incidents/{incident}/export").status_code,
        client.put(f"/api/incidents/{incident}/hold", json={"reason": "lawsuit"}).status_code,
    )
    assert got == EXPECTED[name]
    actions = [
        e.action
        for e in db.scalars(select(AuditEvent).where(AuditEvent.actor_id == client_id(cast, name)))
        if e.action.startswith("evidence.original")
    ]
    original_status = EXPECTED[name][3]
    if original_status == 200:
        assert actions == ["evidence.original_viewed"]
    elif original_status == 403:
        assert actions == ["evidence.original_refused"]  # the refusal is kept too


def client_id(cast: Cast, name: str) -> int:
    return cast.people[name].member_id


def test_nobody_signed_in_gets_401(client: TestClient, incident: int, photo: int) -> None:
    for answer in (
        upload(client, incident, photo_with_gps()),
        client.get(f"/api/incidents/{incident}/media"),
        client.get(f"/api/media/{photo}/original"),
        client.get(f"/api/incidents/{incident}/export"),
    ):
        assert answer.status_code == 401


def test_original_refusal_names_the_rule(
    signed_in: SignedIn, cast: Cast, photo: int, db: Session
) -> None:
    answer = signed_in(cast.rosa).get(f"/api/media/{photo}/original")
    assert answer.json()["error"]["code"] == "original_forbidden"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action.like("evidence.%"))).one()
    assert event.organization_id == cast.eastside
    assert set(event.detail) == {"media_id", "incident_id"}  # who and what, never where from


def test_the_list_shows_original_links_only_to_those_who_may_open_them(
    signed_in: SignedIn, cast: Cast, incident: int, photo: int
) -> None:
    for name, may in (("lucas", True), ("dario", True), ("rosa", False), ("elena", False)):
        (item,) = signed_in(cast.people[name]).get(f"/api/incidents/{incident}/media").json()
        assert (item["original_url"] is not None) is may
        assert item["public_copy_url"] == f"/api/media/{photo}/public"


def test_retention_policy_is_the_coordinators(signed_in: SignedIn, cast: Cast) -> None:
    path = f"/api/organizations/{cast.eastside}/retention"
    body = {"media_days": 90, "incident_days": 365}
    for name in ("dario", "rosa", "lucas", "wanda", "ada", "nadia"):
        assert signed_in(cast.people[name]).put(path, json=body).status_code == 403
    elena = signed_in(cast.elena)
    assert elena.put(path, json=body).status_code == 200
    assert elena.get(path).json() == {"organization_id": cast.eastside, **body}


def test_a_partner_responder_sent_there_may_add_but_not_open_originals(
    app: FastAPI, cast: Cast, sessions: sessionmaker[Session], incident: int, photo: int
) -> None:
    """Escalation reached a Westside volunteer, who accepted: they document what they see."""
    walter = add_responder(sessions, cast, "walter", organization_id=cast.westside)
    now = cast.clock.now()
    with transaction(sessions) as writer:
        request = DispatchRequest(
            incident_id=incident, organization_id=cast.eastside, requested_at=now,
            state=RequestState.STAFFED, stage=Stage.PARTNERS, radius_m=15000,
            deadline_at=now + timedelta(minutes=2),
        )  # fmt: skip
        writer.add(request)
        writer.flush()
        writer.add(
            Offer(
                request_id=request.id,
                incident_id=incident,
                member_id=walter.member_id,
                organization_id=cast.westside,
                round=3,
                rank=1,
                state=OfferState.ON_SCENE,
                offered_at=now,
                expires_at=now + timedelta(minutes=2),
            )
        )
    client = client_for(app, cast, walter)
    added = upload(client, incident, photo_with_gps())
    assert added.status_code == 201, added.text
    assert client.get(f"/api/incidents/{incident}/media").status_code == 200
    assert client.get(f"/api/media/{photo}/original").status_code == 403
    started = client.post(f"/api/incidents/{incident}/recordings", json={"kind": "audio"})
    assert started.status_code == 201
    client.close()
