"""Finding 9: a used idempotency key sent with a different report is a 409
`idempotency_conflict` that tells nothing of the first report: no id, no status token."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.reports.factories import body, counts, device, hotline_body
from tests.reports.test_intake import post

KEY = "a-key-someone-else-saw-0001"


def test_a_different_report_under_a_used_key_is_refused_and_learns_nothing(
    client: TestClient, db: Session
) -> None:
    phone = device()
    mine = body(device_token=phone, description="two vans")
    first = post(client, mine, headers={"Idempotency-Key": KEY})
    assert first.status_code == 201, first.text

    other = post(client, body(description="something else"), headers={"Idempotency-Key": KEY})
    assert other.status_code == 409, other.text
    assert other.json()["error"]["code"] == "idempotency_conflict"
    for secret in (first.json()["status_token"], str(first.json()["report_id"])):
        assert secret not in other.text
    assert counts(db) == (1, 1, 1)

    # The phone that sent it still gets its own receipt back on a true retry.
    again = post(client, mine, headers={"Idempotency-Key": KEY})
    assert again.status_code == 200 and again.json() == first.json()


def test_the_same_words_from_another_device_are_another_sender(client: TestClient) -> None:
    data = body(description="two vans")
    assert post(client, data, headers={"Idempotency-Key": KEY}).status_code == 201
    data["device_token"] = device()
    assert post(client, data, headers={"Idempotency-Key": KEY}).status_code == 409


def test_the_key_in_the_body_is_held_to_the_same_rule(client: TestClient) -> None:
    assert post(client, body(idempotency_key=KEY)).status_code == 201
    refused = post(client, body(idempotency_key=KEY, agents=9))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "idempotency_conflict"


def test_the_hotline_route_too(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session]
) -> None:
    cast.sign_in(client, cast.dario)
    path = "/api/reports/hotline"
    first = client.post(path, json=hotline_body(), headers={"Idempotency-Key": KEY})
    assert first.status_code == 201, first.text
    assert (
        client.post(path, json=hotline_body(), headers={"Idempotency-Key": KEY}).status_code == 200
    )
    other = client.post(path, json=hotline_body(agents=12), headers={"Idempotency-Key": KEY})
    assert other.status_code == 409 and "incident_id" not in other.text
