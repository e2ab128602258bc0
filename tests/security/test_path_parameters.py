"""Finding 8: every path parameter is range-checked. A word where a number goes, a number
past what the database holds, a negative one: the caller gets a 4xx, never a 500."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.security.helpers import everything_everywhere, probing_client
from vecinos.config import Settings
from vecinos.web.policy import api_routes

BAD_VALUES = ("abc", "1.5", "-1", "0", str(2**31), str(2**63), str(10**30), "9" * 400)
PARAM = re.compile(r"{([a-z_]+)(?::[a-z]+)?}")


def api_paths(app: FastAPI) -> list[tuple[frozenset[str], str]]:
    """(methods, path) of every API route the app serves."""
    return [(frozenset(r.methods or ()), r.path) for r in api_routes(app) if r.path]


def _routes(app: FastAPI) -> list[tuple[str, str, list[str]]]:
    found: list[tuple[str, str, list[str]]] = []
    for methods, path in api_paths(app):
        if PARAM.search(path):
            found.extend((method, path, PARAM.findall(path)) for method in sorted(methods))
    return found


def _fill(path: str, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: values[m.group(1)], path)


def _sane(name: str, cast: Cast) -> str:
    """A value each parameter could really have, so only the one under test is wrong."""
    if name == "org_id":
        return str(cast.eastside)
    return {
        "language": "es",
        "topic": "at-home",
        "code": "es",
        "slug": "reports",
        "token": "1-x",
    }.get(name, "1")


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "every-role"])
def test_no_path_parameter_makes_a_server_error(
    app: FastAPI,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    signed_in: bool,
) -> None:
    client = probing_client(app, cast, sessions, settings, signed_in)
    routes = _routes(app)
    assert len(routes) > 40
    failures = []
    for method, path, names in routes:
        for name in names:
            for bad in BAD_VALUES:
                values = {n: _sane(n, cast) for n in names} | {name: bad}
                url = _fill(path, values)
                answer = client.request(method, url, json={} if method in ("POST", "PUT") else None)
                if answer.status_code >= 500:
                    failures.append(f"{method} {url[:80]} -> {answer.status_code}")
    assert failures == []


def test_a_number_past_the_database_range_is_a_clear_422(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], settings: Settings
) -> None:
    cast.sign_in(client, everything_everywhere(sessions, cast, settings))
    for path in (f"/api/incidents/{2**63}", f"/api/organizations/{2**63}/members"):
        answer = client.get(path)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == "invalid_input"
    answer = client.get("/api/organizations/abc/members")
    assert answer.status_code == 422, answer.text
