"""Finding 8: JSON nested thousands deep is refused with a clear 400 on every route that reads
JSON, the report intake included, and never reaches the code behind it."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.security.helpers import probing_client
from tests.security.test_path_parameters import PARAM, api_paths
from vecinos.config import Settings


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth  # 10 KB at 5,000 deep: under every size limit


def _writes(app: FastAPI, cast: Cast) -> list[tuple[str, str]]:
    found = []
    for methods, route in api_paths(app):
        for method in sorted(methods & {"POST", "PUT"}):
            path = PARAM.sub(lambda m: str(cast.eastside) if m[1] == "org_id" else "1", route)
            found.append((method, path))
    return found


@pytest.mark.parametrize("depth", [100, 5000])
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "every-role"])
def test_deep_json_is_refused_cleanly_everywhere(
    app: FastAPI,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    signed_in: bool,
    depth: int,
) -> None:
    client = probing_client(app, cast, sessions, settings, signed_in)
    failures = []
    writes = _writes(app, cast)
    assert len(writes) > 30
    for method, path in writes:
        answer = client.request(
            method, path, content=nested(depth), headers={"Content-Type": "application/json"}
        )
        if answer.status_code >= 500:
            failures.append(f"{method} {path} -> {answer.status_code}")
    assert failures == []


def test_the_report_intake_says_what_is_wrong(client: TestClient) -> None:
    answer = client.post(
        "/api/reports", content=nested(5000), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "json_too_deep"
