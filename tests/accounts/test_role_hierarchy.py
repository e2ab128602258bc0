"""Finding 6: nobody changes or removes a member who holds a role above their own, and the last
coalition admin cannot be removed (a coordinator could demote or remove the admin before)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from tests.security.helpers import add_person
from vecinos.accounts.models import Role
from vecinos.config import Settings


@pytest.fixture
def alma(sessions: sessionmaker[Session], cast: Cast, settings: Settings) -> Person:
    """A coalition admin whose admin role sits in Eastside, beside Elena the coordinator."""
    return add_person(sessions, cast, settings, "alma", [(cast.eastside, Role.ADMIN)])


def roles_path(cast: Cast, person: Person) -> str:
    return f"/api/organizations/{cast.eastside}/members/{person.member_id}/roles"


def member_path(cast: Cast, person: Person, org: int | None = None) -> str:
    return f"/api/organizations/{org or cast.eastside}/members/{person.member_id}"


def test_a_coordinator_cannot_demote_or_remove_the_admin(
    client: TestClient, cast: Cast, alma: Person
) -> None:
    cast.sign_in(client, cast.elena)
    demoted = client.put(roles_path(cast, alma), json={"roles": ["responder"]})
    assert demoted.status_code == 403, demoted.text
    assert demoted.json()["error"]["code"] == "outranked"
    removed = client.delete(member_path(cast, alma))
    assert removed.status_code == 403
    roster = client.get(f"/api/organizations/{cast.eastside}/members").json()
    assert next(m for m in roster if m["id"] == alma.member_id)["roles"] == ["coalition_admin"]


def test_a_coordinator_still_runs_their_own_people(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.elena)
    assert (
        client.put(roles_path(cast, cast.rosa), json={"roles": ["dispatcher"]}).status_code == 200
    )
    assert (
        client.put(roles_path(cast, cast.lucas), json={"roles": ["responder"]}).status_code == 200
    )
    assert client.delete(member_path(cast, cast.dario)).status_code == 204


def test_a_dispatcher_made_coordinator_cannot_touch_the_admin_either(
    client: TestClient, cast: Cast, alma: Person
) -> None:
    cast.sign_in(client, cast.elena)
    client.put(roles_path(cast, cast.dario), json={"roles": ["coordinator", "dispatcher"]})
    cast.sign_in(client, cast.dario)
    assert client.delete(member_path(cast, alma)).status_code == 403
    assert (
        client.put(
            roles_path(cast, alma), json={"roles": ["coalition_admin", "responder"]}
        ).status_code
        == 403
    )


def test_an_admin_may_remove_another_admin_but_not_the_last(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], settings: Settings
) -> None:
    west = cast.westside
    bea = add_person(
        sessions, cast, settings, "bea", [(west, Role.COORDINATOR), (west, Role.ADMIN)]
    )
    cast.sign_in(client, bea)
    assert client.delete(member_path(cast, cast.ada, west)).status_code == 204
    own = member_path(cast, bea, west)
    last = client.put(own + "/roles", json={"roles": ["coordinator"]})
    assert last.status_code == 409, last.text
    assert last.json()["error"]["code"] == "last_admin"
    assert client.delete(own).status_code == 409
