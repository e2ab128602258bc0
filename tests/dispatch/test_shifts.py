"""Checking in, moving and checking out; locations live only while the shift lasts."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.dispatch.factories import SCENE, client_for, north
from tests.training.factories import qualify
from vecinos.dispatch.models import Shift, ShiftLocation


def check_in(client: TestClient, org: int, at: tuple[float, float] = SCENE, **extra: object):  # type: ignore[no-untyped-def]
    body = {"lat": at[0], "lon": at[1], **extra}
    return client.post(f"/api/organizations/{org}/shifts", json=body)


def test_responder_checks_in_with_location_and_capabilities(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.rosa)
    answer = check_in(
        client,
        cast.eastside,
        has_car=True,
        languages=["es", "EN"],
        radio_channel="ch 4",
    )
    assert answer.status_code == 201, answer.text
    shift = answer.json()
    assert shift["has_car"]
    assert not shift["legal_observer"]  # Rosa has no observer training on record
    assert shift["languages"] == ["en", "es"]
    assert shift["radio_channel"] == "ch 4"
    assert (shift["lat"], shift["lon"]) == SCENE
    assert client.get("/api/shifts/current").json()["id"] == shift["id"]


def test_a_second_check_in_is_refused(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.rosa)
    assert check_in(client, cast.eastside).status_code == 201
    again = check_in(client, cast.eastside)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_checked_in"


def test_bad_check_ins_get_clear_errors(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.rosa)
    assert check_in(client, cast.eastside, at=(91.0, 0.0)).status_code == 422
    bad_language = check_in(client, cast.eastside, languages=["not a language!"])
    assert bad_language.status_code == 422
    assert bad_language.json()["error"]["code"] == "invalid_languages"
    elsewhere = check_in(client, cast.westside)  # Rosa is not a Westside responder
    assert elsewhere.status_code == 403


def test_moving_updates_the_position_and_keeps_history_only_during_the_shift(
    client: TestClient, cast: Cast, db: Session
) -> None:
    cast.sign_in(client, cast.rosa)
    shift_id = check_in(client, cast.eastside).json()["id"]
    for metres in (100, 200, 300):
        cast.clock.advance(minutes=1)
        moved = client.put(
            "/api/shifts/current/location",
            json=dict(zip(("lat", "lon"), north(metres), strict=True)),
        )
        assert moved.status_code == 200, moved.text
    assert moved.json()["lat"] == north(300)[0]
    count = (
        select(func.count()).select_from(ShiftLocation).where(ShiftLocation.shift_id == shift_id)
    )
    assert db.scalar(count) == 4

    out = client.post("/api/shifts/current/check-out")
    assert out.status_code == 200, out.text
    assert out.json()["ended_at"] is not None
    db.expire_all()
    assert db.scalar(count) == 0  # the location history is gone
    shift = db.get(Shift, shift_id)
    assert shift is not None
    assert (shift.lat, shift.lon, shift.h3_cell, shift.located_at) == (None, None, None, None)
    assert client.get("/api/shifts/current").json()["error"]["code"] == "not_checked_in"


def test_moving_or_checking_out_without_a_shift_says_so(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.rosa)
    moved = client.put("/api/shifts/current/location", json={"lat": SCENE[0], "lon": SCENE[1]})
    assert moved.status_code == 404
    assert moved.json()["error"]["code"] == "not_checked_in"
    assert client.post("/api/shifts/current/check-out").status_code == 404


def test_a_new_shift_after_check_out_is_allowed(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.rosa)
    assert check_in(client, cast.eastside).status_code == 201
    assert client.post("/api/shifts/current/check-out").status_code == 200
    assert check_in(client, cast.eastside).status_code == 201


def test_roster_is_visible_only_inside_the_organization(
    app: FastAPI, client: TestClient, cast: Cast
) -> None:
    cast.sign_in(client, cast.rosa)
    check_in(client, cast.eastside, radio_channel="ch 2")
    roster_url = f"/api/organizations/{cast.eastside}/shifts"
    for person in (cast.dario, cast.elena):
        with client_for(app, cast, person) as insider:
            roster = insider.get(roster_url)
            assert roster.status_code == 200, roster.text
            assert [r["display_name"] for r in roster.json()] == ["Rosa"]
            assert roster.json()[0]["radio_channel"] == "ch 2"
    for person in (cast.wanda, cast.ada, cast.nadia, cast.lucas):
        with client_for(app, cast, person) as outsider:
            assert outsider.get(roster_url).status_code == 403


def test_nobody_declares_themselves_a_legal_observer(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.rosa)
    refused = check_in(client, cast.eastside, legal_observer=True)
    assert refused.status_code == 422
    assert client.get("/api/shifts/current").status_code == 404  # nothing was written


def test_trained_and_vetted_volunteers_are_legal_observers_on_shift(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    qualify(sessions, cast, cast.rosa)
    cast.sign_in(client, cast.rosa)
    answer = check_in(client, cast.eastside)
    assert answer.status_code == 201, answer.text
    assert answer.json()["legal_observer"]
