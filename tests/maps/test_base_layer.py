"""The base layer every map draws: the service area and every zone, named."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from vecinos.db import transaction
from vecinos.geo.zones import create_zone

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-118.22, 34.03], [-118.20, 34.03], [-118.20, 34.05], [-118.22, 34.05], [-118.22, 34.03]]
    ],
}


def test_the_base_layer_names_every_zone(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as db:
        create_zone(db, cast.eastside, "Boyle Heights", SQUARE, now=cast.clock.now())
    answer = client.get("/map/base.geojson")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/geo+json"
    features = answer.json()["features"]
    assert features[0]["properties"] == {"kind": "area"}
    assert features[0]["geometry"]["type"] == "Polygon"
    zone = features[1]
    assert zone["properties"]["name"] == "Boyle Heights"
    assert zone["properties"]["organization_id"] == cast.eastside
    assert zone["geometry"]["coordinates"] == SQUARE["coordinates"]
