"""Finding 7 (and the limits of findings 1 and 4): every anonymous write has limits per source
and ceilings for everyone; opt-ins have ceilings per channel and per day, and one contact gets a
few codes an hour however often it is asked for, with nothing in the answer to show it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.alerts.factories import SUBSCRIBE, body, counts
from tests.cast import Cast
from tests.reports.factories import body as report_body
from vecinos.alerts.models import Subscription
from vecinos.alerts.outbox_models import Delivery
from vecinos.app import factory as app_module
from vecinos.app.factory import create_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import is_sqlite
from vecinos.web.limits import UnlimitedWriteError, limit_of, unlimited_public_writes
from vecinos.web.policy import PUBLIC, api_routes, registered_routes

PUSH: dict[str, Any] = {
    "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
    "keys": {"p256dh": "p", "auth": "a"},
}


def test_every_public_write_declares_a_limit(app: FastAPI) -> None:
    assert unlimited_public_writes(registered_routes(app)) == []
    limited = {r.path: limit_of(r) for r in api_routes(app) if limit_of(r) is not None}
    assert {"/api/reports", "/api/reports/status/{token}/photo", SUBSCRIBE} <= set(limited)


def test_the_app_refuses_to_start_with_an_unlimited_public_write(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    stray = APIRouter()

    @stray.post("/api/stray", dependencies=[PUBLIC.dependency()])
    def stray_write() -> dict[str, str]:
        return {}

    monkeypatch.setattr(app_module, "ROUTERS", (*app_module.ROUTERS, stray))
    with pytest.raises(UnlimitedWriteError, match="/api/stray"):
        app_module.create_app(app.state.context.settings, engine=app.state.engine)


def test_a_flood_of_one_channel_leaves_the_others_open(
    client: TestClient, settings: Settings
) -> None:
    settings.alert_optins_per_minute = 2
    sms = [client.post(SUBSCRIBE, json=body(contact=f"213-555-01{n:02d}")) for n in range(3)]
    assert [a.status_code for a in sms] == [201, 201, 429]
    assert sms[2].json()["error"]["code"] == "rate_limited_global"
    email = client.post(SUBSCRIBE, json=body(channel="email", contact="vecina@example.org"))
    assert email.status_code == 201


def test_a_daily_ceiling_bounds_what_a_flood_costs(
    client: TestClient, settings: Settings, clock: FrozenClock
) -> None:
    settings.alert_optins_per_day = 3
    answers = []
    for n in range(4):
        answers.append(client.post(SUBSCRIBE, json=body(contact=f"213-555-02{n:02d}")).status_code)
        clock.advance(minutes=5)  # well under the per-minute ceiling
    assert answers == [201, 201, 201, 429]


def test_one_contact_gets_a_few_codes_an_hour_and_the_answer_does_not_show_it(
    client: TestClient, db: Session, settings: Settings, clock: FrozenClock
) -> None:
    answers = [client.post(SUBSCRIBE, json=body()) for _ in range(5)]
    assert {a.status_code for a in answers} == {201}
    assert {tuple(sorted(a.json())) for a in answers} == {tuple(sorted(answers[0].json()))}
    assert counts(db)[2] == settings.alert_optins_per_contact_per_hour  # messages sent
    clock.advance(hours=1)
    latest = client.post(SUBSCRIBE, json=body())
    db.rollback()
    newest = db.scalar(select(func.max(Subscription.id)))
    sent = db.scalar(select(Delivery).where(Delivery.subscription_id == newest))
    assert latest.status_code == 201 and sent is not None  # an hour on, codes go out again


def test_push_subscriptions_count_against_the_push_ceiling(
    client: TestClient, settings: Settings
) -> None:
    settings.alert_optins_per_minute = 1
    first = client.post(SUBSCRIBE, json=body(channel="push", contact=None, push_subscription=PUSH))
    assert first.status_code == 201, first.text
    other = {**PUSH, "endpoint": PUSH["endpoint"] + "d"}
    again = client.post(SUBSCRIBE, json=body(channel="push", contact=None, push_subscription=other))
    assert again.status_code == 429


def test_code_guesses_have_a_ceiling_per_handle(client: TestClient) -> None:
    made = client.post(SUBSCRIBE, json=body()).json()
    answers = [
        client.post(
            "/api/alerts/subscriptions/confirm", json={"handle": made["handle"], "code": "abcdef"}
        ).status_code
        for _ in range(11)
    ]
    assert answers[-1] == 429


def test_on_postgresql_every_web_process_counts_against_the_same_ceiling(
    settings: Settings, engine: Engine, clock: FrozenClock, cast: Cast
) -> None:
    if is_sqlite(settings.effective_database_url):
        pytest.skip("SQLite is served by one process: its limits live in that process")
    settings.intake_per_source_per_minute = 2
    first, second = (create_app(settings, engine=engine, clock=clock) for _ in range(2))
    report = report_body(device_token="one-phone-sending-too-often-0001")
    with TestClient(first) as one, TestClient(second) as other:
        answers = [one.post("/api/reports", json=report).status_code]
        answers.append(other.post("/api/reports", json=report).status_code)
        answers.append(one.post("/api/reports", json=report).status_code)
        answers.append(other.post("/api/reports", json=report).status_code)
    # Two processes, one limit: the third report from that phone is refused by either.
    assert answers == [201, 201, 429, 429]
