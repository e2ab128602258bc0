"""The web shell: health, OpenAPI, the error shape in two languages, logs without addresses."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.cast import Cast


def test_health_answers(client: TestClient) -> None:
    answer = client.get("/api/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.json()["database"] in ("sqlite", "postgresql")


def test_openapi_describes_the_api(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "vecinos"
    assert "/api/auth/login" in schema["paths"]


def test_the_document_promises_422_only_where_a_path_can_be_malformed(
    client: TestClient,
) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    incident = paths["/api/incidents/{incident_id}"]["get"]["responses"]
    status = paths["/api/reports/status/{token}"]["get"]["responses"]
    assert {"404", "422"} <= incident.keys()  # an integer can be out of range
    assert "404" in status and "422" not in status  # any text is a well-formed token


def test_unknown_address_is_a_json_error(client: TestClient) -> None:
    answer = client.get("/api/nothing-here", headers={"Accept-Language": "en"})
    assert answer.status_code == 404
    assert answer.json() == {
        "error": {"code": "not_found", "message": "There is nothing at this address."}
    }


def test_errors_speak_the_callers_language(client: TestClient, cast: Cast) -> None:
    answer = client.post(
        "/api/auth/login",
        json={"email": "x@example.org", "password": "y"},
        headers={"Accept-Language": "es-MX,es;q=0.9"},
    )
    assert answer.json()["error"]["message"] == "Correo o contraseña incorrectos."
    english = client.post(
        "/api/auth/login",
        json={"email": "x@example.org", "password": "y"},
        headers={"Accept-Language": "en-US"},
    )
    assert english.json()["error"]["message"] == "Wrong e-mail or password."


def test_validation_errors_name_the_field(client: TestClient) -> None:
    answer = client.post(
        "/api/auth/login", json={"email": "x@example.org"}, headers={"Accept-Language": "en"}
    )
    assert answer.status_code == 422
    body = answer.json()["error"]
    assert body["code"] == "invalid_input"
    assert body["fields"][0]["field"] == "password"
    assert "password" in body["message"]


def test_malformed_json_is_a_clear_error(client: TestClient) -> None:
    answer = client.post(
        "/api/auth/login",
        content=b"{not json",
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_input"


def test_access_log_has_no_client_address(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="vecinos.access"):
        client.get("/api/health", headers={"X-Forwarded-For": "203.0.113.9"})
    lines = [r.getMessage() for r in caplog.records if r.name == "vecinos.access"]
    assert lines and '"GET /api/health" 200' in lines[0]
    assert "testclient" not in lines[0] and "203.0.113.9" not in lines[0]
