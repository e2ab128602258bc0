"""Schedules and rosters are seen only inside the organization."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from tests.coverage.factories import first_slot, make_schedule, sign_up
from tests.dispatch.factories import add_responder
from vecinos.config import Settings

SignedIn = Callable[[Person], TestClient]


def test_the_calendar_and_its_names_stay_inside_the_organization(
    signed_in: SignedIn,
    client: TestClient,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
) -> None:
    schedule = make_schedule(sessions, cast, settings)
    sign_up(sessions, cast, cast.rosa, first_slot(sessions, schedule, cast.clock.now()))
    path = f"/api/organizations/{cast.eastside}/calendar"
    plans = f"/api/organizations/{cast.eastside}/schedules"
    for person in (cast.elena, cast.dario, cast.rosa, cast.lucas):
        answer = signed_in(person).get(path)
        assert answer.status_code == 200, person.email
        assert answer.json()[0]["volunteers"] == [
            {"member_id": cast.rosa.member_id, "display_name": "Rosa"}
        ]
        listed = signed_in(person).get(plans)
        assert [s["title"] for s in listed.json()] == ["School drop-off watch"], person.email
    for person in (cast.wanda, cast.ada, cast.nadia):
        assert signed_in(person).get(path).status_code == 403, person.email
        assert signed_in(person).get(plans).status_code == 403, person.email
    assert client.get(path).status_code == 401
    assert client.get(plans).status_code == 401
    # A volunteer of another organization finds none of these slots among hers.
    walt = add_responder(sessions, cast, "walt", organization_id=cast.westside)
    theirs = signed_in(walt).get("/api/me/coverage").json()
    assert theirs == {"mine": [], "open": []}
    assert "School drop-off watch" not in signed_in(walt).get("/coverage").text
    page = f"/organizations/{cast.eastside}/coverage"
    assert signed_in(cast.wanda).get(page).status_code == 403
    assert client.get(page, follow_redirects=False).status_code == 303  # to sign in


def test_a_volunteer_of_another_organization_cannot_sign_up_here_nor_take_a_place_by_swap(
    signed_in: SignedIn, cast: Cast, sessions: sessionmaker[Session], settings: Settings
) -> None:
    schedule = make_schedule(sessions, cast, settings)
    slot = first_slot(sessions, schedule, cast.clock.now())
    wanda = signed_in(cast.wanda)
    refused = wanda.post(f"/api/organizations/{cast.eastside}/slots/{slot}/signups")
    assert refused.status_code == 403
    # Through their own organization's URL, the slot is simply not there.
    elsewhere = f"/api/organizations/{cast.westside}/slots/{slot}/signups"
    assert signed_in(cast.wanda).post(elsewhere).status_code == 403  # not a responder there
    # Nor can an Eastside volunteer hand her place to a Westside one.
    walt = add_responder(sessions, cast, "walt", organization_id=cast.westside)
    mine = sign_up(sessions, cast, cast.rosa, slot)
    swap = signed_in(cast.rosa).post(
        f"/api/signups/{mine}/swaps", json={"to_member_id": walt.member_id}
    )
    assert (swap.status_code, swap.json()["error"]["code"]) == (404, "member_not_found")
    assert signed_in(walt).get("/api/me/coverage").json() == {"mine": [], "open": []}
