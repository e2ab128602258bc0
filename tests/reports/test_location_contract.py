"""One location contract, the same from the public form and the hotline: a pin; or a place
people know (a neighbourhood, a landmark, a ZIP code) or a zone; cross streets with either.
Cross streets alone cannot be placed, and each way to get it wrong has its own clear error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.geo.factories import BOYLE_HEIGHTS, MARIACHI_PLAZA, add_gazetteer
from tests.reports.factories import device
from vecinos.config import Settings
from vecinos.reports.models import LocationKind, Report

Send = Callable[[dict[str, Any]], httpx.Response]
CROSS = "Cesar Chavez Ave & Soto St"


@pytest.fixture(params=["public form", "hotline"])
def send(request: pytest.FixtureRequest, client: TestClient, cast: Cast) -> Send:
    """A report with this location, from one side or the other."""
    fields = {"activity": "checkpoint", "agency": "unknown"}
    if request.param == "hotline":
        cast.sign_in(client, cast.dario)
        return lambda where: client.post(
            "/api/reports/hotline", json={**fields, "location": where}, headers=SPANISH
        )
    return lambda where: client.post(
        "/api/reports",
        json={**fields, "location": where, "device_token": device()},
        headers=SPANISH,
    )


SPANISH = {"Accept-Language": "es"}


@pytest.fixture
def places(sessions: sessionmaker[Session], cast: Cast, settings: Settings) -> dict[str, int]:
    return add_gazetteer(sessions, cast, settings)


def stored(db: Session, answer: httpx.Response) -> Report:
    assert answer.status_code == 201, answer.text
    db.expire_all()
    report = db.scalar(select(Report).where(Report.id == answer.json()["report_id"]))
    assert report is not None
    return report


def test_a_pin(send: Send, db: Session) -> None:
    report = stored(db, send({"lat": 34.05, "lon": -118.25}))
    assert (report.location_kind, report.lat, report.lon) == (LocationKind.PIN, 34.05, -118.25)


def test_a_pin_with_cross_streets(send: Send, db: Session) -> None:
    report = stored(db, send({"lat": 34.05, "lon": -118.25, "cross_streets": CROSS}))
    assert (report.location_kind, report.cross_streets) == (LocationKind.CROSS_STREETS, CROSS)


def test_a_neighbourhood_and_cross_streets(send: Send, db: Session, places: dict[str, int]) -> None:
    zone = {"kind": "zone", "key": str(places["heights"])}
    report = stored(db, send({"place": zone, "cross_streets": CROSS}))
    assert report.location_kind == LocationKind.CROSS_STREETS
    assert report.cross_streets == CROSS
    assert report.zone_id == places["heights"]
    assert shape(BOYLE_HEIGHTS).contains(Point(report.lon, report.lat))


def test_a_landmark(send: Send, db: Session, places: dict[str, int]) -> None:
    report = stored(db, send({"place": {"kind": "landmark", "key": str(places["plaza"])}}))
    assert report.location_kind == LocationKind.LANDMARK
    assert (report.lat, report.lon) == MARIACHI_PLAZA
    assert report.zone_id == places["heights"]


def test_a_zip_code(send: Send, db: Session, places: dict[str, int]) -> None:
    report = stored(db, send({"place": {"kind": "zip", "key": "90033"}}))
    assert report.location_kind == LocationKind.ZIP
    assert abs(report.lat - 34.05) < 0.05 and abs(report.lon - -118.21) < 0.05


def test_a_zone_by_its_id(send: Send, db: Session, places: dict[str, int]) -> None:
    report = stored(db, send({"zone_id": places["heights"]}))
    assert report.location_kind == LocationKind.ZONE
    assert shape(BOYLE_HEIGHTS).contains(Point(report.lon, report.lat))


def test_a_pin_wins_over_a_place(send: Send, db: Session, places: dict[str, int]) -> None:
    where = {"lat": 34.05, "lon": -118.25, "place": {"kind": "zip", "key": "90033"}}
    report = stored(db, send(where))
    assert (report.location_kind, report.lat, report.lon) == (LocationKind.PIN, 34.05, -118.25)


@pytest.mark.parametrize(
    ("where", "status", "code", "says"),
    [
        ({"cross_streets": CROSS}, 422, "location_required", "barrio, código postal"),
        ({}, 422, "location_required", "Indique dónde"),
        ({"lat": 34.05}, 422, "incomplete_pin", "latitud"),
        ({"place": {"kind": "zip", "key": "10001"}}, 422, "outside_service_area", "fuera"),
        ({"place": {"kind": "landmark", "key": "999999"}}, 404, "place_not_found", "lugar"),
        ({"place": {"kind": "street", "key": "1"}}, 422, "unknown_category", ""),
    ],
)
def test_what_cannot_be_placed_is_refused_clearly(
    send: Send,
    db: Session,
    places: dict[str, int],
    where: dict[str, Any],
    status: int,
    code: str,
    says: str,
) -> None:
    answer = send(where)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert says.lower() in error["message"].lower()
    assert db.scalar(select(Report.id)) is None  # nothing half-stored
