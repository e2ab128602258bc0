"""Who may call each alerts route: subscription routes are public; counts and partner webhooks
are for the organization's coordinator, and never show a contact."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.alerts.factories import SUBSCRIBE, body, counts, subscribe
from tests.cast import Cast

EVERYONE = ["elena", "dario", "rosa", "lucas", "wanda", "ada", "nadia", None]
AREA = {"lat": 34.0339, "lon": -118.2106, "radius_m": 5000}


def as_person(client: TestClient, cast: Cast, name: str | None) -> None:
    if name is not None:
        cast.sign_in(client, cast.people[name])


@pytest.mark.parametrize("name", EVERYONE)
def test_subscribing_is_public_for_everyone(
    client: TestClient, cast: Cast, name: str | None
) -> None:
    as_person(client, cast, name)
    answer = client.post(SUBSCRIBE, json=body(channel="email", contact="someone@example.org"))
    assert answer.status_code == 201, answer.text
    made = answer.json()
    unsubscribed = client.post("/api/alerts/unsubscribe", json={"token": made["unsubscribe_token"]})
    assert unsubscribed.status_code == 200


@pytest.mark.parametrize("name", EVERYONE)
def test_subscriber_counts_are_for_the_coordinator_only(
    client: TestClient, cast: Cast, name: str | None
) -> None:
    subscribe(client, contact="213-555-0142")
    as_person(client, cast, name)
    answer = client.get(f"/api/organizations/{cast.eastside}/alerts/subscribers")
    expected = {"elena": 200, None: 401}.get(name, 403)
    assert answer.status_code == expected, answer.text
    if expected == 200:
        assert answer.json()["by_status"] == {"pending": 1}
        assert "555" not in answer.text and "+1" not in answer.text


@pytest.mark.parametrize("name", EVERYONE)
def test_partner_webhooks_are_registered_by_the_coordinator_only(
    client: TestClient, db: Session, cast: Cast, name: str | None
) -> None:
    as_person(client, cast, name)
    hook = {"url": "https://partner.example.org/hook", "language": "en", "area": AREA}
    answer = client.post(f"/api/organizations/{cast.eastside}/alerts/webhooks", json=hook)
    expected = {"elena": 201, None: 401}.get(name, 403)
    assert answer.status_code == expected, answer.text
    if expected == 201:
        assert answer.json()["secret"].startswith("whsec_")
        counted = client.get(f"/api/organizations/{cast.eastside}/alerts/subscribers").json()
        assert counted["active_by_channel"] == {"webhook": 1}
    else:
        assert counts(db)[0] == 0


def test_a_coordinator_sees_no_other_organizations_webhooks(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.wanda)
    hook = {"url": "https://west.example.org/hook", "language": "es", "area": AREA}
    assert (
        client.post(f"/api/organizations/{cast.westside}/alerts/webhooks", json=hook).status_code
        == 201
    )
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    cast.sign_in(client, cast.elena)
    counted = client.get(f"/api/organizations/{cast.eastside}/alerts/subscribers").json()
    assert counted["by_status"] == {}


def test_a_webhook_needs_https(client: TestClient, db: Session, cast: Cast) -> None:
    cast.sign_in(client, cast.elena)
    hook = {"url": "http://partner.example.org/hook", "language": "en", "area": AREA}
    answer = client.post(f"/api/organizations/{cast.eastside}/alerts/webhooks", json=hook)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_webhook"
    assert counts(db) == (0, 0, 0)


@pytest.mark.parametrize("name", EVERYONE)
def test_the_scrubber_check_is_for_dispatchers_and_coordinators(
    client: TestClient, cast: Cast, name: str | None
) -> None:
    as_person(client, cast, name)
    answer = client.post("/api/alerts/scrub", json={"text": "Agents near Soto St & 1st St"})
    expected = {"dario": 200, "elena": 200, "wanda": 200, None: 401}.get(name, 403)
    assert answer.status_code == expected, answer.text
    if expected == 200:
        refused = client.post("/api/alerts/scrub", json={"text": "Officer Smith at 1234 E 1st St"})
        assert refused.status_code == 422
        error = refused.json()["error"]
        assert error["code"] == "text_refused"
        assert [f["kind"] for f in error["findings"]] == ["name", "address"]
        address = {"kind": "address", "start": 17, "end": 30, "text": "1234 E 1st St"}
        assert error["findings"][1] == address
