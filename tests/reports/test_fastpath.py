"""`IntakeFastPath`: the intake is answered before FastAPI's router, as the route would answer."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.reports.factories import EASTSIDE_PIN, body
from vecinos.reports.fastpath import IntakeFastPath
from vecinos.web.servertime import HEADER as SERVER_TIME

URL = "/api/reports"


def test_the_intake_is_answered_before_the_router(app: FastAPI) -> None:
    bare = FastAPI()  # no routes at all: only the fast path can answer
    bare.state.context = app.state.context
    bare.add_middleware(IntakeFastPath)
    with TestClient(bare, base_url="https://testserver") as client:
        answer = client.post(URL, json=body(EASTSIDE_PIN))
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"] == "reported"
        assert client.put(URL, json=body(EASTSIDE_PIN)).status_code == 404  # to the router


def test_the_fast_path_sits_inside_the_apps_middleware(client: TestClient) -> None:
    answer = client.post(URL, json=body(EASTSIDE_PIN))
    assert answer.status_code == 201
    assert SERVER_TIME in answer.headers


def test_refusals_are_rendered_by_the_apps_error_handler(client: TestClient) -> None:
    answer = client.post(URL, content=b"x", headers={"Content-Type": "text/plain"})
    assert answer.status_code == 415
    assert answer.json()["error"]["code"] == "unsupported_media_type"
    spanish = client.post(
        URL, json={**body(EASTSIDE_PIN), "activity": "parade"}, headers={"Accept-Language": "es"}
    )
    assert spanish.status_code == 422
    assert spanish.json()["error"]["message"].startswith("Algunos campos son incorrectos")
    assert SERVER_TIME in spanish.headers


def test_other_methods_go_on_to_fastapi(client: TestClient) -> None:
    answer = client.get(URL)
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"
