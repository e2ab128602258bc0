"""Coordinators keep their organization's landmarks; every member reads them; bad names and
points get a clear error and change nothing; the public searches the gazetteer."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.geo.factories import MARIACHI_PLAZA, add_gazetteer
from vecinos.accounts.models import AuditEvent
from vecinos.config import Settings
from vecinos.geo.models import Landmark

PLAZA = {"name": "Mariachi Plaza", "lat": MARIACHI_PLAZA[0], "lon": MARIACHI_PLAZA[1]}


def base(cast: Cast) -> str:
    return f"/api/organizations/{cast.eastside}/landmarks"


def landmark_rows(db: Session) -> list[tuple[str, float, float]]:
    db.rollback()
    return [tuple(r) for r in db.execute(select(Landmark.name, Landmark.lat, Landmark.lon))]  # type: ignore[misc]


def test_a_coordinator_adds_renames_moves_and_removes_a_landmark(
    client: TestClient, cast: Cast, db: Session
) -> None:
    cast.sign_in(client, cast.elena)
    made = client.post(base(cast), json=PLAZA)
    assert made.status_code == 201, made.text
    landmark_id = made.json()["id"]
    moved = client.put(
        f"{base(cast)}/{landmark_id}",
        json={"name": "  Plaza del  Mariachi ", "lat": 34.0470, "lon": -118.2190},
    )
    assert moved.status_code == 200, moved.text
    assert landmark_rows(db) == [("Plaza del Mariachi", 34.047, -118.219)]
    assert db.scalar(select(Landmark.search_key)) == "plaza del mariachi"
    assert client.delete(f"{base(cast)}/{landmark_id}").status_code == 204
    assert landmark_rows(db) == []
    kept = select(AuditEvent.action).where(AuditEvent.action.startswith("landmark."))
    actions = db.scalars(kept.order_by(AuditEvent.id)).all()
    assert actions == ["landmark.created", "landmark.changed", "landmark.deleted"]


@pytest.mark.parametrize(
    ("person", "read", "write"),
    [
        ("elena", 200, 201),
        ("dario", 200, 403),
        ("rosa", 200, 403),
        ("wanda", 403, 403),
        ("nadia", 403, 403),
    ],
)
def test_who_may_read_and_change_landmarks(
    client: TestClient, cast: Cast, person: str, read: int, write: int
) -> None:
    cast.sign_in(client, getattr(cast, person))
    assert client.get(base(cast)).status_code == read
    assert client.post(base(cast), json=PLAZA).status_code == write


def test_nobody_signed_in_may_read_or_change_landmarks(client: TestClient, cast: Cast) -> None:
    assert client.get(base(cast)).status_code == 401
    assert client.post(base(cast), json=PLAZA).status_code == 401


def test_another_organizations_landmark_cannot_be_changed_through_mine(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], settings: Settings, db: Session
) -> None:
    ids = add_gazetteer(sessions, cast, settings)  # the market belongs to Westside
    cast.sign_in(client, cast.elena)
    answer = client.put(f"{base(cast)}/{ids['mercado']}", json=PLAZA)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "landmark_not_found"
    assert client.delete(f"{base(cast)}/{ids['mercado']}").status_code == 404
    assert db.scalar(select(func.count()).select_from(Landmark)) == 2


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"name": ""}, 422, "invalid_name"),
        ({"name": "   "}, 422, "invalid_name"),
        ({"name": "x" * 81}, 422, "invalid_name"),
        ({"name": "la casa de Sra. Garcia"}, 422, "text_refused"),
        ({"name": "Call 323-555-0142"}, 422, "text_refused"),
        ({"name": "1187 Brooklyn Ave"}, 422, "text_refused"),
        ({"lat": 91.0}, 422, "invalid_point"),
        ({"lat": 40.71, "lon": -74.0}, 422, "outside_service_area"),
        ({"lat": "north"}, 422, "invalid_input"),
        ({"colour": "red"}, 422, "invalid_input"),
    ],
)
def test_a_bad_landmark_is_refused_and_nothing_is_written(
    client: TestClient, cast: Cast, db: Session, change: dict[str, Any], status: int, code: str
) -> None:
    cast.sign_in(client, cast.elena)
    answer = client.post(base(cast), json=PLAZA | change, headers={"Accept-Language": "es"})
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["message"]
    assert landmark_rows(db) == []


def test_a_refused_rename_keeps_the_landmark_as_it_was(
    client: TestClient, cast: Cast, db: Session
) -> None:
    cast.sign_in(client, cast.elena)
    landmark_id = client.post(base(cast), json=PLAZA).json()["id"]
    client.post(base(cast), json=PLAZA | {"name": "Hollenbeck Park", "lat": 34.0410})
    taken = client.put(f"{base(cast)}/{landmark_id}", json=PLAZA | {"name": "Hollenbeck Park"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "landmark_name_taken"
    refused = client.put(f"{base(cast)}/{landmark_id}", json=PLAZA | {"name": "Officer Smith"})
    assert refused.status_code == 422
    assert ("Mariachi Plaza", *MARIACHI_PLAZA) in landmark_rows(db)


def test_a_duplicate_name_in_one_organization_is_refused(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.elena)
    assert client.post(base(cast), json=PLAZA).status_code == 201
    again = client.post(base(cast), json=PLAZA)
    assert again.status_code == 409 and again.json()["error"]["code"] == "landmark_name_taken"


def test_the_public_searches_places_without_signing_in(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], settings: Settings
) -> None:
    ids = add_gazetteer(sessions, cast, settings)
    answer = client.get("/api/places", params={"q": "MARIACHI"})
    assert answer.status_code == 200 and "public" in answer.headers["cache-control"]
    (place,) = answer.json()["places"]
    assert place == {
        "kind": "landmark",
        "key": str(ids["plaza"]),
        "name": "Mariachi Plaza",
        "detail": "Boyle Heights (90033)",
        "lat": MARIACHI_PLAZA[0],
        "lon": MARIACHI_PLAZA[1],
        "zone_id": ids["heights"],
    }
    zips = client.get("/api/places", params={"q": "90033"}).json()["places"]
    assert [p["key"] for p in zips] == ["90033"]
    picked = client.get("/api/places/zip/90033").json()
    assert picked["zone_id"] == ids["heights"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 422),
        ({"q": ""}, 422),
        ({"q": "x" * 101}, 422),
        ({"q": "plaza", "limit": 0}, 422),
        ({"q": "plaza", "limit": 26}, 422),
    ],
)
def test_a_bad_search_is_a_clear_error(
    client: TestClient, params: dict[str, Any], status: int
) -> None:
    answer = client.get("/api/places", params=params)
    assert answer.status_code == status and answer.json()["error"]["code"] == "invalid_input"


def test_resolving_an_unknown_place_over_http(client: TestClient) -> None:
    assert client.get("/api/places/zip/00000").json()["error"]["code"] == "place_not_found"
    answer = client.get("/api/places/street/1")
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "unknown_place_kind"


def test_a_pin_is_named_by_its_neighbourhood_and_zip_never_a_landmark_or_its_digits(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], settings: Settings
) -> None:
    add_gazetteer(sessions, cast, settings)
    answer = client.get(
        "/api/places/near", params={"lat": MARIACHI_PLAZA[0], "lon": MARIACHI_PLAZA[1]}
    )
    assert answer.status_code == 200 and "public" in answer.headers["cache-control"]
    # The plaza is right there, yet a pin on someone's home is named only by its area.
    assert answer.json() == {"label": "Boyle Heights (90033)"}


def test_two_pins_a_few_houses_apart_get_the_same_answer(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], settings: Settings
) -> None:
    add_gazetteer(sessions, cast, settings)
    one = client.get("/api/places/near", params={"lat": 34.04401, "lon": -118.21001})
    other = client.get("/api/places/near", params={"lat": 34.04049, "lon": -118.21449})
    assert one.content == other.content and one.json()["label"]


def test_a_pin_where_the_gazetteer_knows_nothing_has_no_label(client: TestClient) -> None:
    answer = client.get("/api/places/near", params={"lat": -45.0, "lon": -140.0})
    assert answer.status_code == 200 and answer.json() == {"label": None}


@pytest.mark.parametrize(
    "params", [{}, {"lat": 34.0}, {"lat": 91, "lon": 0}, {"lat": 0, "lon": "west"}]
)
def test_a_bad_point_is_a_clear_error(client: TestClient, params: dict[str, Any]) -> None:
    answer = client.get("/api/places/near", params=params)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_input"
