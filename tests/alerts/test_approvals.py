"""Two people for the alerts a hijacked account would send: an unconfirmed notice, or an alert
to more people than the setting allows. Never the same person, never after the deadline."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import alerts, incident, north, subscriber
from tests.cast import Cast
from tests.dispatch.factories import client_for, timeline_kinds
from vecinos.alerts.approvals import expire_due
from vecinos.alerts.safety_models import AlertApproval, ApprovalStatus
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.incidents.models import IncidentState

NOTICE: dict[str, object] = {"kind": "unconfirmed"}


def ask(dario: TestClient, incident_id: int, body: dict[str, object] = NOTICE) -> dict[str, object]:
    answer = dario.post(f"/api/incidents/{incident_id}/alerts", json=body)
    assert answer.status_code == 202, answer.text
    asked: dict[str, object] = answer.json()
    return asked


def test_an_unconfirmed_notice_waits_for_a_second_person(
    dario: TestClient,
    elena: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
) -> None:
    subscriber(sessions, settings, clock, north(200), language="es")
    incident_id = incident(sessions, cast, IncidentState.VERIFYING)
    asked = ask(dario, incident_id)
    assert (asked["reason"], asked["status"], asked["recipients"]) == ("unconfirmed", "pending", 1)
    assert alerts(db) == []  # nothing published, nothing queued
    assert [a["id"] for a in elena.get("/api/alerts/approvals").json()] == [asked["id"]]

    own = dario.post(f"/api/alerts/approvals/{asked['id']}/approve")
    assert own.status_code == 403 and own.json()["error"]["code"] == "approval_by_requester"
    assert alerts(db) == []

    approved = elena.post(f"/api/alerts/approvals/{asked['id']}/approve")
    assert approved.status_code == 201, approved.text
    (alert,) = alerts(db)
    assert alert.kind == "unconfirmed" and alert.published_by == cast.dario.member_id
    assert "SIN CONFIRMAR" in alert.texts["es"] and alert.recipient_count == 1
    kinds = timeline_kinds(db, incident_id)
    assert [k for k in kinds if k.startswith("alert.")] == [
        "alert.approval_requested",
        "alert.published",
        "alert.approval_decided",
    ]
    again = elena.post(f"/api/alerts/approvals/{asked['id']}/approve")
    assert again.status_code == 409 and again.json()["error"]["code"] == "approval_decided"


def test_an_alert_to_many_people_waits_and_a_small_one_does_not(
    dario: TestClient,
    elena: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
) -> None:
    settings.alert_approval_recipients = 1
    few = incident(sessions, cast)
    subscriber(sessions, settings, clock, north(100))
    assert dario.post(f"/api/incidents/{few}/alerts", json={"kind": "confirmed"}).status_code == 201
    subscriber(sessions, settings, clock, north(200))
    many = incident(sessions, cast)
    preview = dario.post(f"/api/incidents/{many}/alerts/preview", json={"kind": "confirmed"})
    assert preview.json()["needs_approval"] == "recipients"  # the composer says so up front
    asked = ask(dario, many, {"kind": "confirmed", "texts": {"en": "Confirmed near the park."}})
    assert asked["reason"] == "recipients" and asked["recipients"] == 2
    assert elena.post(f"/api/alerts/approvals/{asked['id']}/approve").status_code == 201
    published = [a for a in alerts(db) if a.incident_id == many]
    assert published[0].texts["en"] == "Confirmed near the park."  # what was asked, exactly


def test_an_approval_after_the_deadline_is_refused_and_expires(
    dario: TestClient,
    elena: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
) -> None:
    asked = ask(dario, incident(sessions, cast, IncidentState.VERIFYING))
    clock.advance(minutes=settings.alert_approval_minutes)
    late = elena.post(f"/api/alerts/approvals/{asked['id']}/approve")
    assert late.status_code == 410 and late.json()["error"]["code"] == "approval_expired"
    assert alerts(db) == []
    assert elena.get("/api/alerts/approvals").json() == []
    with transaction(sessions) as writer:
        assert expire_due(writer, clock.now(), settings) == 1
    db.rollback()
    assert db.scalar(select(AlertApproval.status)) == ApprovalStatus.EXPIRED


def test_another_organization_cannot_see_or_decide(
    app: FastAPI,
    dario: TestClient,
    sessions: sessionmaker[Session],
    cast: Cast,
    db: Session,
) -> None:
    asked = ask(dario, incident(sessions, cast, IncidentState.VERIFYING))
    with client_for(app, cast, cast.wanda) as wanda:  # Westside's coordinator
        assert wanda.get("/api/alerts/approvals").json() == []
        refused = wanda.post(f"/api/alerts/approvals/{asked['id']}/approve")
        assert refused.status_code == 404
    with client_for(app, cast, cast.rosa) as rosa:  # a responder: not staff for this
        assert rosa.get("/api/alerts/approvals").status_code == 403
    assert alerts(db) == []


def test_a_refusal_or_a_withdrawal_publishes_nothing(
    dario: TestClient,
    elena: TestClient,
    sessions: sessionmaker[Session],
    cast: Cast,
    clock: FrozenClock,
    db: Session,
) -> None:
    first = ask(dario, incident(sessions, cast, IncidentState.VERIFYING))
    refused = elena.post(f"/api/alerts/approvals/{first['id']}/refuse")
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    second = ask(dario, incident(sessions, cast, IncidentState.VERIFYING))
    withdrawn = dario.post(f"/api/alerts/approvals/{second['id']}/refuse")
    assert withdrawn.json()["status"] == "refused" and withdrawn.json()["decided_by"] == (
        cast.dario.member_id
    )
    clock.advance(seconds=1)
    assert alerts(db) == []
