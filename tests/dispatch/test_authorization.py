"""Who may call each dispatch route: every route, every person of the cast, and nobody."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.dispatch.factories import SCENE, client_for, make_incident, north, offers_of, on_shift
from tests.worker.helpers import ask_for_verification
from vecinos.accounts.models import Role, RoleGrant
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.web.policy import api_routes

EVERYONE = ("elena", "dario", "rosa", "lucas", "wanda", "ada", "nadia", None)


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # with {org}, {incident} and {offer} filled in by the test
    allowed: frozenset[str]
    body: dict[str, object] | None = None


RESPONDER = frozenset({"rosa"})
DISPATCHER = frozenset({"dario"})
CALLS = [
    Call("GET", "/api/organizations/{org}/shifts", frozenset({"elena", "dario"})),
    Call("GET", "/api/shifts/current", RESPONDER),
    Call("PUT", "/api/shifts/current/location", RESPONDER, {"lat": SCENE[0], "lon": SCENE[1]}),
    Call("GET", "/api/offers", RESPONDER),
    Call("GET", "/api/incidents/{incident}/dispatch", DISPATCHER),
    Call("POST", "/api/offers/{offer}/accept", RESPONDER),
    Call("POST", "/api/offers/{offer}/en-route", RESPONDER),
    Call("POST", "/api/offers/{offer}/on-scene", RESPONDER),
    Call("POST", "/api/offers/{offer}/finding", RESPONDER, {"finding": "not_found"}),
    Call("POST", "/api/offers/{offer}/decline", RESPONDER),
    Call("POST", "/api/incidents/{incident}/dispatch/cancel", DISPATCHER),
    Call("POST", "/api/shifts/current/check-out", RESPONDER),
    Call("POST", "/api/organizations/{org}/shifts", RESPONDER, {"lat": 34.05, "lon": -118.24}),
    Call("POST", "/api/incidents/{second}/dispatch", DISPATCHER, {}),
]


@pytest.fixture
def clients(app: FastAPI, cast: Cast) -> Iterator[dict[str | None, TestClient]]:
    people: dict[str | None, TestClient] = {
        name: client_for(app, cast, cast.people[name]) for name in EVERYONE if name
    }
    people[None] = TestClient(app, base_url="https://testserver")
    yield people
    for client in people.values():
        client.close()


def test_every_dispatch_route_is_in_this_table(app: FastAPI) -> None:
    placeholders = {
        "{org}": "{org_id}",
        "{incident}": "{incident_id}",
        "{second}": "{incident_id}",
        "{offer}": "{offer_id}",
    }

    def pattern(path: str) -> str:
        for short, long in placeholders.items():
            path = path.replace(short, long)
        return path

    tested = {(c.method, pattern(c.path)) for c in CALLS}
    ours = {
        (method, route.path)
        for route in api_routes(app)
        if isinstance(route.original_route, APIRoute)
        and route.original_route.endpoint.__module__ == "vecinos.dispatch.routes"
        for method in route.methods or ()
    }
    assert ours == tested


def test_each_person_gets_exactly_what_their_role_allows(
    clients: dict[str | None, TestClient],
    sessions: sessionmaker[Session],
    settings: Settings,
    cast: Cast,
    db: Session,
) -> None:
    on_shift(sessions, cast, cast.rosa, north(100))
    incident_id = make_incident(sessions, cast)
    second_id = make_incident(sessions, cast)
    ask_for_verification(sessions, cast, settings, incident_id)
    offer_id = offers_of(db, incident_id)[0].id
    fill: Callable[[str], str] = lambda path: path.format(  # noqa: E731
        org=cast.eastside, incident=incident_id, second=second_id, offer=offer_id
    )
    for call in CALLS:
        for name in EVERYONE:
            answer = clients[name].request(call.method, fill(call.path), json=call.body)
            where = f"{call.method} {call.path} as {name}: {answer.status_code} {answer.text}"
            if name is None:
                assert answer.status_code == 401, where
            elif name in call.allowed:
                assert answer.status_code not in (401, 403, 404, 422), where
            else:
                assert answer.status_code == 403, where


def test_a_dispatcher_of_another_organization_sees_nothing_of_ours(
    app: FastAPI, sessions: sessionmaker[Session], settings: Settings, cast: Cast
) -> None:
    with transaction(sessions) as session:
        session.add(
            RoleGrant(
                member_id=cast.wanda.member_id,
                organization_id=cast.westside,
                role=Role.DISPATCHER,
                granted_at=cast.clock.now(),
            )
        )
    on_shift(sessions, cast, cast.rosa, north(100))
    incident_id = make_incident(sessions, cast)
    ask_for_verification(sessions, cast, settings, incident_id)
    with client_for(app, cast, cast.wanda) as wanda:
        for method, path in (
            ("GET", f"/api/incidents/{incident_id}/dispatch"),
            ("POST", f"/api/incidents/{incident_id}/dispatch/cancel"),
        ):
            answer = wanda.request(method, path)
            assert answer.status_code == 404, answer.text
            assert answer.json()["error"]["code"] == "incident_not_found"
        roster = wanda.get(f"/api/organizations/{cast.eastside}/shifts")
        assert roster.status_code == 403
        assert wanda.get(f"/api/organizations/{cast.westside}/shifts").json() == []


def test_writes_from_a_browser_need_the_csrf_token(app: FastAPI, cast: Cast) -> None:
    with client_for(app, cast, cast.rosa) as rosa:
        del rosa.headers["X-CSRF-Token"]
        answer = rosa.post(
            f"/api/organizations/{cast.eastside}/shifts", json={"lat": 34.0, "lon": -118.2}
        )
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "csrf_failed"
