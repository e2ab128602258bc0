"""Public intake: what is accepted, what is stored, what is refused and that nothing partial is
left behind when it is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.reports.factories import (
    NOBODYS_PIN,
    OUTSIDE_PIN,
    add_zones,
    body,
    counts,
    device,
)
from vecinos.clock import FrozenClock
from vecinos.incidents.models import Incident
from vecinos.reports.models import Report, Source


def post(client: TestClient, data: Any, **kwargs: Any) -> Any:
    return client.post("/api/reports", json=data, **kwargs)


def test_an_anonymous_report_is_stored_and_opens_an_incident(
    client: TestClient, db: Session, sessions: sessionmaker[Session], cast: Cast
) -> None:
    add_zones(sessions, cast)
    answer = post(client, body(description="Two SUVs by the bakery", callback_contact="555-0100"))
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert receipt["status"] == "reported" and receipt["verified"] is False
    assert receipt["status_url"].endswith(receipt["status_token"])
    report = db.scalars(select(Report)).one()
    assert report.id == receipt["report_id"]
    assert report.source == Source.WEB
    assert report.contact_ciphertext is not None
    assert b"555-0100" not in report.contact_ciphertext
    assert report.contact_purge_at == cast.clock.now() + timedelta(hours=72)
    incident = db.get(Incident, report.incident_id)
    assert incident is not None
    assert incident.organization_id == cast.eastside
    assert (incident.report_count, incident.source_count) == (1, 1)


def test_no_raw_device_token_or_contact_is_stored(
    client: TestClient, engine: Any, db: Session
) -> None:
    token = device()
    post(client, body(device_token=token, callback_contact="555-0142"))
    with engine.connect() as connection:
        dump = repr([tuple(r) for r in connection.exec_driver_sql("SELECT * FROM reports")])
    assert token not in dump and "555-0142" not in dump
    assert "testclient" not in dump  # the TestClient's address would show up here


def test_the_status_link_tells_the_state_and_that_it_is_unverified(client: TestClient) -> None:
    receipt = post(client, body()).json()
    answer = client.get(f"/api/reports/status/{receipt['status_token']}")
    assert answer.status_code == 200
    assert answer.json()["status"] == "reported" and answer.json()["verified"] is False
    forged = f"{receipt['report_id']}-{'0' * 20}"
    assert client.get(f"/api/reports/status/{forged}").status_code == 404
    assert client.get("/api/reports/status/nonsense").status_code == 404


@pytest.mark.parametrize("via", ["header", "field"])
def test_a_retry_with_the_same_idempotency_key_returns_the_same_report(
    client: TestClient, db: Session, via: str
) -> None:
    data = body()
    headers = {}
    if via == "header":
        headers["Idempotency-Key"] = "retry-key-0001"
    else:
        data["idempotency_key"] = "retry-key-0001"
    first = post(client, data, headers=headers)
    again = post(client, data, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert counts(db) == (1, 1, 1)


def test_reports_from_a_cross_street_or_a_zone(
    client: TestClient, db: Session, sessions: sessionmaker[Session], cast: Cast
) -> None:
    east_zone, _ = add_zones(sessions, cast)
    by_zone = post(client, body(None, location={"zone_id": east_zone}))
    assert by_zone.status_code == 201, by_zone.text
    streets = {"zone_id": east_zone, "cross_streets": "Main St & 3rd St"}
    by_streets = post(client, body(None, location=streets))
    assert by_streets.status_code == 201, by_streets.text
    report = db.get(Report, by_streets.json()["report_id"])
    assert report is not None and report.cross_streets == "Main St & 3rd St"
    incident = db.get(Incident, report.incident_id)
    assert incident is not None and incident.organization_id == cast.eastside


def test_an_incident_in_nobodys_zone_has_no_owner(client: TestClient, db: Session) -> None:
    post(client, body(NOBODYS_PIN))
    assert db.scalars(select(Incident)).one().organization_id is None


# --- refused input: a clear 4xx, a stable code, and not one row written -----------------------


def refused(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code, answer.text
    assert answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"activity": "alien_landing"}, 422, "unknown_category"),
        ({"agency": "nasa"}, 422, "unknown_category"),
        ({"equipment": [{"type": "tank", "colour": "black"}]}, 422, "unknown_category"),
        ({"source": "hotline"}, 422, "unknown_category"),
        ({"location": {"lat": 91, "lon": -118.25}}, 422, "invalid_input"),
        ({"location": {"lat": 34.05, "lon": -181}}, 422, "invalid_input"),
        ({"location": {"lat": OUTSIDE_PIN[0], "lon": OUTSIDE_PIN[1]}}, 422, "outside_service_area"),
        ({"location": {"lat": 34.05}}, 422, "incomplete_pin"),
        ({"location": {"cross_streets": "Main St & 3rd St"}}, 422, "location_required"),
        ({"location": {"zone_id": 999999}}, 404, "zone_not_found"),
        *(
            (
                {"location": {"lat": 34.05, "lon": -118.25, "cross_streets": typed}},
                422,
                "address_not_allowed",
            )
            for typed in (
                "1234 Main St",
                "near 1187 brooklyn ave",
                "frente a la casa de Juan Perez",
                "by the blue house of Sra garcia, 2nd and soto",
                "call 323 555 0142",
            )
        ),
        ({"badge_number": "1234"}, 422, "invalid_input"),
        ({"officer_name": "x"}, 422, "invalid_input"),
        ({"agents": -1}, 422, "invalid_input"),
        ({"observed_at": "2026-06-01T17:30:00+00:00"}, 422, "observed_in_future"),
        ({"observed_at": "2026-05-30T17:00:00+00:00"}, 422, "observed_too_old"),
        ({"observed_at": "2026-06-01T16:30:00"}, 422, "invalid_input"),  # no time zone
        ({"description": "x" * 1001}, 422, "description_too_long"),
        ({"device_token": "short"}, 422, "invalid_input"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(
    client: TestClient, db: Session, change: dict[str, Any], status: int, code: str
) -> None:
    refused(post(client, body(**change)), status, code)
    assert counts(db) == (0, 0, 0)


def test_malformed_json_is_a_400(client: TestClient, db: Session) -> None:
    answer = client.post(
        "/api/reports", content=b'{"activity": ', headers={"Content-Type": "application/json"}
    )
    refused(answer, 400, "malformed_json")
    assert counts(db) == (0, 0, 0)


def test_a_form_post_is_a_415(client: TestClient, db: Session) -> None:
    refused(
        client.post("/api/reports", data={"activity": "checkpoint"}), 415, "unsupported_media_type"
    )
    refused(client.post("/api/reports", content=b"{}"), 415, "unsupported_media_type")
    assert counts(db) == (0, 0, 0)


def test_an_oversized_payload_is_a_413(client: TestClient, db: Session) -> None:
    refused(post(client, body(description="x" * 20_000)), 413, "payload_too_large")

    def chunks() -> Any:  # no Content-Length: the limit must hold while reading
        yield b'{"description": "'
        for _ in range(40):
            yield b"x" * 1000
        yield b'"}'

    chunked = client.post(
        "/api/reports", content=chunks(), headers={"Content-Type": "application/json"}
    )
    refused(chunked, 413, "payload_too_large")
    assert counts(db) == (0, 0, 0)


def test_errors_speak_spanish_when_asked(client: TestClient) -> None:
    answer = post(client, body(OUTSIDE_PIN), headers={"Accept-Language": "es"})
    assert (
        answer.json()["error"]["message"] == "Este lugar está fuera del área que atiende esta red."
    )


# --- abuse ------------------------------------------------------------------------------------


def test_one_source_is_rate_limited_per_minute(client: TestClient, clock: FrozenClock) -> None:
    token = device()
    for n in range(6):
        assert post(client, body(device_token=token)).status_code == 201, n
    answer = post(client, body(device_token=token))
    refused(answer, 429, "rate_limited_source")
    assert int(answer.headers["Retry-After"]) >= 1
    assert post(client, body()).status_code == 201  # another device still gets through
    clock.advance(seconds=10)
    assert post(client, body(device_token=token)).status_code == 201


def test_the_global_limit_holds_for_everyone(
    settings: Any, engine: Any, clock: FrozenClock
) -> None:
    from vecinos.app.factory import create_app

    settings.intake_global_per_second = 3
    with TestClient(
        create_app(settings, engine=engine, clock=clock), base_url="https://testserver"
    ) as c:
        answers = [post(c, body()).status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]


def test_reports_from_a_source_with_unfounded_history_are_low_trust(
    client: TestClient, writer: Session, cast: Cast
) -> None:
    from vecinos.incidents.models import IncidentState
    from vecinos.incidents.service import transition

    token = device()
    first = post(client, body(device_token=token)).json()
    report = writer.get(Report, first["report_id"])
    assert report is not None
    incident = writer.get(Incident, report.incident_id)
    assert incident is not None
    now = cast.clock.now()
    for state in (IncidentState.VERIFYING, IncidentState.UNFOUNDED, IncidentState.ENDED):
        transition(writer, incident, state, actor_id=None, now=now)
    writer.commit()
    later = post(client, body(NOBODYS_PIN, device_token=token)).json()
    other = post(client, body(NOBODYS_PIN)).json()
    writer.expire_all()
    low_trust = {r.id: r.low_trust for r in writer.scalars(select(Report))}
    assert low_trust[later["report_id"]] is True
    assert low_trust[other["report_id"]] is False
    writer.rollback()


def test_the_service_area_is_configurable_and_checked_at_start() -> None:
    from vecinos.config import ConfigError, load_settings
    from vecinos.reports.intake import locate
    from vecinos.reports.schemas import LocationIn

    with pytest.raises(ConfigError):
        load_settings(service_area_geojson='{"type": "Point", "coordinates": [0, 0]}')
    with pytest.raises(ConfigError):
        load_settings(service_area_geojson="not json")
    small = load_settings(
        service_area_geojson='{"type": "Polygon", "coordinates": [[[-118.3, 34.0], '
        "[-118.2, 34.0], [-118.2, 34.1], [-118.3, 34.1], [-118.3, 34.0]]]}"
    )
    inside = locate(None, LocationIn(lat=34.05, lon=-118.25), small)  # type: ignore[arg-type]
    assert (inside.lat, inside.lon) == (34.05, -118.25)
    with pytest.raises(Exception, match="outside the area"):
        locate(None, LocationIn(lat=34.05, lon=-118.45), small)  # type: ignore[arg-type]


def test_the_openapi_document_shows_what_a_report_looks_like(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    body = document["paths"]["/api/reports"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert body["required"] is True
    assert {"activity", "location", "device_token"} <= set(schema["properties"])
    assert "device_token" in schema["required"]
    assert schema["additionalProperties"] is False  # nothing extra rides along
    answers = document["paths"]["/api/reports"]["post"]["responses"]
    assert {"200", "201"} <= set(answers)
