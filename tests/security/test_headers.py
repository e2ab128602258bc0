"""Finding 10: security headers on every response, the API's included; `no-store` wherever a
response carries personal or staff data; HSTS behind https; a Secure sign-in form cookie."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.dispatch.factories import make_incident
from tests.reports.factories import add_zones, body
from tests.security.helpers import everything_everywhere
from tests.security.test_path_parameters import PARAM, api_paths
from vecinos.app.factory import create_app
from vecinos.config import Settings

# The only responses meant to be kept: the public alert feeds (brief) and the app's own code.
PUBLIC_CACHE = re.compile(r"^/api/alerts/feed\.(json|atom|geojson)$|^/static/|^/sw\.js$")


def assert_hardened(answer: object, where: str) -> None:
    headers = answer.headers  # type: ignore[attr-defined]
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("strict-transport-security", "").startswith("max-age="), where


def test_api_answers_and_errors_carry_the_headers(client: TestClient) -> None:
    for path in ("/api/health", "/api/incidents/1", "/api/nowhere", "/api/openapi.json"):
        assert_hardened(client.get(path), path)
    refused = client.post(
        "/api/reports", content=b"[", headers={"Content-Type": "application/json"}
    )
    assert refused.status_code == 400
    assert_hardened(refused, "a refused report")
    assert_hardened(client.get("/report"), "a page")


def test_every_staff_and_personal_answer_is_no_store(
    app: FastAPI, cast: Cast, sessions: sessionmaker[Session], settings: Settings
) -> None:
    """Every GET a person with every role can make: nothing but public feeds may be kept."""
    client = TestClient(app, base_url="https://testserver")
    incident = make_incident(sessions, cast)
    assert client.post("/api/reports", json=body(callback_contact="a.neighbour@example.org"))
    cast.sign_in(client, everything_everywhere(sessions, cast, settings))
    checked = 0
    values = {"org_id": str(cast.eastside), "incident_id": str(incident)}
    for methods, route in api_paths(app):
        if "GET" not in methods or route.endswith("/stream"):
            continue
        path = PARAM.sub(lambda m: values.get(m[1], "1"), route)
        answer = client.get(path)
        assert_hardened(answer, path)
        if not PUBLIC_CACHE.match(route):
            assert "no-store" in answer.headers.get("cache-control", ""), path
            checked += 1
    assert checked > 30


def test_incident_detail_with_a_callback_contact_is_no_store(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    add_zones(sessions, cast)  # the incident is Eastside's, so its dispatcher sees the contact
    reported = client.post("/api/reports", json=body(callback_contact="a.neighbour@example.org"))
    incident_id = reported.json()["report_id"]
    cast.sign_in(client, cast.dario)
    detail = client.get(f"/api/incidents/{incident_id}")
    assert "a.neighbour@example.org" in detail.text
    assert detail.headers["cache-control"] == "no-store"


def test_public_feeds_may_still_be_cached_briefly(client: TestClient) -> None:
    control = client.get("/api/alerts/feed.json").headers["cache-control"]
    assert control == "public, max-age=10, stale-while-revalidate=20"


@pytest.mark.parametrize(
    ("public_url", "hsts"), [("https://x.test", True), ("http://x.test", False)]
)
def test_hsts_only_when_the_public_url_is_https(
    settings: Settings, app: FastAPI, public_url: str, hsts: bool
) -> None:
    plain = settings.model_copy(update={"public_url": public_url})
    with TestClient(create_app(plain, engine=app.state.engine)) as client:
        answer = client.get("/api/health")
    assert ("strict-transport-security" in answer.headers) is hsts


def test_the_reissued_sign_in_form_cookie_is_secure(client: TestClient) -> None:
    form = client.get("/signin")
    assert "secure" in form.headers["set-cookie"].lower()
    again = client.post(
        "/signin",
        data={"email": "x@example.org", "password": "x", "csrf_token": "stale", "next": "/"},
    )
    assert again.status_code == 400
    cookie = again.headers["set-cookie"]
    assert cookie.startswith("vecinos_form=") and "secure" in cookie.lower()
