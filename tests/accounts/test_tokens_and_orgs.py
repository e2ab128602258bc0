"""API tokens for integrations, organizations, zones: scoped to one organization."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cast import Cast
from vecinos.accounts.models import ApiToken

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-118.22, 34.03], [-118.20, 34.03], [-118.20, 34.05], [-118.22, 34.05], [-118.22, 34.03]]
    ],
}


def test_api_token_is_shown_once_stored_hashed_and_revocable(
    client: TestClient, cast: Cast, db: Session
) -> None:
    cast.sign_in(client, cast.elena)
    created = client.post(
        f"/api/organizations/{cast.eastside}/tokens", json={"name": "hotline system"}
    ).json()
    token = created["token"]
    assert token.startswith("vec_")
    stored = db.scalar(select(ApiToken.token_hash))
    assert stored is not None and token not in stored

    integration = TestClient(client.app, base_url="https://testserver")
    bearer = {"Authorization": f"Bearer {token}"}
    roster = integration.get(f"/api/organizations/{cast.eastside}/members", headers=bearer)
    assert roster.status_code == 200
    assert "token" not in client.get(f"/api/organizations/{cast.eastside}/tokens").json()[0]

    client.delete(f"/api/organizations/{cast.eastside}/tokens/{created['id']}")
    again = integration.get(f"/api/organizations/{cast.eastside}/members", headers=bearer)
    assert again.status_code == 401


def test_a_token_acts_only_in_its_own_organization(client: TestClient, cast: Cast) -> None:
    # Ada administers the coalition from Westside; her Westside token cannot reach Eastside.
    cast.sign_in(client, cast.ada)
    grant = client.post("/api/organizations", json={"name": "Northside", "slug": "northside"})
    assert grant.status_code == 201
    cast.sign_in(client, cast.wanda)
    token = client.post(
        f"/api/organizations/{cast.westside}/tokens", json={"name": "dashboard"}
    ).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    other = TestClient(client.app, base_url="https://testserver")
    assert (
        other.get(f"/api/organizations/{cast.eastside}/members", headers=bearer).status_code == 403
    )


def test_only_a_coalition_admin_creates_organizations(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.elena)
    refused = client.post("/api/organizations", json={"name": "Rogue", "slug": "rogue"})
    assert refused.status_code == 403
    cast.sign_in(client, cast.ada)
    made = client.post("/api/organizations", json={"name": "Northside", "slug": "northside"})
    assert made.status_code == 201
    duplicate = client.post("/api/organizations", json={"name": "Again", "slug": "northside"})
    assert duplicate.status_code == 409
    bad = client.post("/api/organizations", json={"name": "Bad", "slug": "Not A Slug"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_slug"


def test_members_see_only_their_own_organizations(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.rosa)
    assert [o["slug"] for o in client.get("/api/organizations").json()] == ["eastside"]
    cast.sign_in(client, cast.nadia)
    assert client.get("/api/organizations").json() == []


def test_zones_are_validated_and_scoped(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.elena)
    base = f"/api/organizations/{cast.eastside}/zones"
    made = client.post(base, json={"name": "Boyle Heights", "geometry": SQUARE})
    assert made.status_code == 201, made.text
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    crossed = client.post(base, json={"name": "Bowtie", "geometry": bowtie})
    assert crossed.status_code == 422 and crossed.json()["error"]["code"] == "invalid_geometry"
    point = client.post(
        base, json={"name": "Point", "geometry": {"type": "Point", "coordinates": [0, 0]}}
    )
    assert point.status_code == 422
    assert client.post(base, json={"name": "Boyle Heights", "geometry": SQUARE}).status_code == 409
    cast.sign_in(client, cast.rosa)
    assert [z["name"] for z in client.get(base).json()] == ["Boyle Heights"]
    assert client.post(base, json={"name": "Mine", "geometry": SQUARE}).status_code == 403
    cast.sign_in(client, cast.wanda)
    assert client.get(base).status_code == 403
