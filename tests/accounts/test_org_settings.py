"""Organization settings and the radio plan: members read them, coordinators change them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.cast import Cast

CHANNELS: list[dict[str, str]] = [
    {"name": "Dispatch", "channel": "CH 7", "purpose": "assignments"},
    {"name": "Patrol north", "channel": "CH 9", "purpose": ""},
]
PLAN: dict[str, Any] = {
    "name": "Eastside Rapid Response",
    "hotline": "(323) 555-0199",
    "default_language": "es",
    "radio_channels": CHANNELS,
}


def test_a_coordinator_sets_the_radio_plan_and_members_read_it(
    client: TestClient, cast: Cast
) -> None:
    base = f"/api/organizations/{cast.eastside}/settings"
    cast.sign_in(client, cast.elena)
    saved = client.put(base, json=PLAN)
    assert saved.status_code == 200, saved.text
    assert saved.json() == PLAN
    cast.sign_in(client, cast.rosa)
    assert client.get(base).json()["radio_channels"][0]["channel"] == "CH 7"
    assert client.put(base, json=PLAN).status_code == 403
    cast.sign_in(client, cast.wanda)
    assert client.get(base).status_code == 403
    cast.sign_in(client, cast.elena)
    audit = client.get(f"/api/organizations/{cast.eastside}/audit").json()
    assert "organization.settings_changed" in [e["action"] for e in audit]


def test_bad_settings_change_nothing(client: TestClient, cast: Cast) -> None:
    base = f"/api/organizations/{cast.eastside}/settings"
    cast.sign_in(client, cast.elena)
    before = client.get(base).json()
    refused = client.put(base, json={**PLAN, "radio_channels": [CHANNELS[0], CHANNELS[0]]})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "duplicate_radio_channel"
    unknown = client.put(base, json={**PLAN, "default_language": "xx-notalanguage"})
    assert unknown.status_code == 422
    assert client.put(base, json={**PLAN, "officer": "x"}).status_code == 422
    assert client.get(base).json() == before
