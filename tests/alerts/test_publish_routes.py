"""Dispatchers publish through the API: preview, edit, refusals; the worker's automatic alerts."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import (
    alerts,
    deliveries,
    incident,
    north,
    publish_now,
    subscriber,
)
from tests.cast import Cast
from tests.dispatch.factories import client_for
from vecinos.alerts.models import AlertKind
from vecinos.alerts.publishing import publish_due
from vecinos.alerts.subscriptions import Wants
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.incidents.models import Incident, IncidentState
from vecinos.incidents.service import transition


def url(incident_id: int, preview: bool = False) -> str:
    return f"/api/incidents/{incident_id}/alerts" + ("/preview" if preview else "")


def test_preview_counts_recipients_and_writes_nothing(
    dario: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
) -> None:
    subscriber(sessions, settings, clock, north(100))
    subscriber(sessions, settings, clock, north(200), language="es")
    subscriber(sessions, settings, clock, north(300), language="es")
    incident_id = incident(sessions, cast)
    body = {"kind": "confirmed", "texts": {"es": "Llame al 213-555-0142"}}
    seen = dario.post(url(incident_id, preview=True), json=body)
    assert seen.status_code == 200, seen.text
    found = seen.json()
    assert found["recipients"] == 3
    assert found["by_channel"] == {"log": 3} and found["by_language"] == {"en": 1, "es": 2}
    assert found["publishable"] is False and found["findings"]["es"][0]["kind"] == "phone"
    assert "CONFIRMED" in found["texts"]["en"]  # the default text for what was not edited
    assert alerts(db) == []


def test_a_dispatcher_publishes_edited_text(
    dario: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
) -> None:
    subscriber(sessions, settings, clock, north(100), language="es")
    incident_id = incident(sessions, cast)
    text = "Actividad confirmada cerca de Cesar Chavez Ave y Soto St. No abra la puerta."
    made = dario.post(url(incident_id), json={"kind": "confirmed", "texts": {"es": text}})
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["texts"]["es"] == text and out["recipients"] == 1
    assert out["deliveries"] == {"queued": 1} and out["automatic"] is False
    (alert,) = alerts(db)
    assert alert.published_by == cast.dario.member_id
    listed = dario.get(url(incident_id)).json()
    assert [a["id"] for a in listed] == [alert.id]


def test_refused_text_is_a_422_that_says_what_was_found(
    dario: TestClient, sessions: sessionmaker[Session], cast: Cast, db: Session
) -> None:
    incident_id = incident(sessions, cast)
    text = "Agents questioned Sra. Martinez at 1234 E 1st St, plate 7ABC123"
    refused = dario.post(url(incident_id), json={"kind": "confirmed", "texts": {"en": text}})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "text_refused"
    kinds = {f["kind"] for f in error["findings"]}
    assert kinds == {"name", "address", "plate"} and error["language"] == "en"
    assert alerts(db) == [] and deliveries(db) == []


def test_an_unconfirmed_notice_is_always_labelled(
    app: FastAPI, dario: TestClient, sessions: sessionmaker[Session], cast: Cast
) -> None:
    incident_id = incident(sessions, cast, IncidentState.VERIFYING)
    texts = {
        "en": "Report of agents near the market.",
        "es": "Reporte de agentes cerca del mercado.",
    }
    asked = dario.post(url(incident_id), json={"kind": "unconfirmed", "texts": texts})
    assert asked.status_code == 202, asked.text  # a second person approves notices
    assert asked.json()["shown"]["en"].startswith("UNCONFIRMED, being checked:")
    with client_for(app, cast, cast.elena) as elena:
        made = elena.post(f"/api/alerts/approvals/{asked.json()['id']}/approve")
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["unconfirmed"] is True
    assert out["texts"]["en"].startswith("UNCONFIRMED, being checked:")
    assert out["texts"]["es"].startswith("SIN CONFIRMAR, se está verificando:")
    refused = dario.post(url(incident_id), json={"kind": "confirmed"})
    assert refused.status_code == 409  # not confirmed yet


def test_only_the_owning_organizations_dispatchers_publish(
    app: FastAPI, sessions: sessionmaker[Session], cast: Cast
) -> None:
    westside = incident(sessions, cast)
    with transaction(sessions) as db:
        found = db.get(Incident, westside)
        assert found is not None
        found.organization_id = cast.westside
    with client_for(app, cast, cast.dario) as dario:
        assert dario.post(url(westside), json={"kind": "confirmed"}).status_code == 404
    with client_for(app, cast, cast.rosa) as rosa:  # a responder
        assert rosa.post(url(westside), json={"kind": "confirmed"}).status_code == 403
    with TestClient(app, base_url="https://testserver") as nobody:
        assert nobody.post(url(westside), json={"kind": "confirmed"}).status_code == 401


def test_confirmed_incidents_alert_on_their_own_after_the_hold(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    subscriber(sessions, settings, clock, north(100), wants=Wants(True, True))
    confirmed = incident(sessions, cast)
    verifying = incident(sessions, cast, IncidentState.VERIFYING)
    with transaction(sessions) as writer:
        assert publish_due(writer, clock.now(), settings) == 0  # the hold
    clock.advance(seconds=settings.alert_hold_seconds)
    with transaction(sessions) as writer:
        assert publish_due(writer, clock.now(), settings) == 1
        assert publish_due(writer, clock.now(), settings) == 0  # once
    (alert,) = alerts(db)
    assert (alert.incident_id, alert.kind, alert.automatic) == (confirmed, "confirmed", True)
    assert verifying not in [a.incident_id for a in alerts(db)]  # never unconfirmed on its own

    with transaction(sessions) as writer:
        found = writer.get(Incident, confirmed)
        assert found is not None
        transition(writer, found, IncidentState.ENDED, actor_id=None, now=clock.now())
    clock.advance(seconds=settings.alert_hold_seconds)
    with transaction(sessions) as writer:
        assert publish_due(writer, clock.now(), settings) == 1
    assert [a.kind for a in alerts(db)] == ["confirmed", "all_clear"]


def test_a_dispatcher_who_published_first_is_not_doubled_and_old_news_stays_quiet(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    first = incident(sessions, cast)
    publish_now(sessions, settings, clock, first, actor_id=cast.dario.member_id)
    unfounded = incident(sessions, cast, IncidentState.UNFOUNDED)
    clock.advance(minutes=settings.alert_expiry_minutes + 1)  # the worker was down all along
    with transaction(sessions) as writer:
        assert publish_due(writer, clock.now(), settings) == 0
    assert [(a.incident_id, a.kind) for a in alerts(db)] == [(first, AlertKind.CONFIRMED)]
    assert unfounded not in [a.incident_id for a in alerts(db)]


def test_the_preview_shows_each_language_and_channel_and_vouches_for_its_draft(
    dario: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
) -> None:
    subscriber(sessions, settings, clock, north(100), language="es-MX")
    first, second = incident(sessions, cast), incident(sessions, cast)
    body = {"kind": "confirmed", "texts": {"es": "Agentes confirmados. No abra la puerta."}}
    seen = dario.post(url(first, preview=True), json=body).json()
    (mexican,) = [m for m in seen["messages"] if m["language"] == "es-MX"]
    assert mexican["channel"] == "log" and mexican["recipients"] == 1
    assert mexican["text"] == "Agentes confirmados. No abra la puerta."
    assert mexican["subject"] == seen["short_texts"]["es"]
    english = next(m for m in seen["messages"] if m["language"] == "en")
    assert english["recipients"] == 0 and english["channel"] == "sms"
    assert english["encoding"] == "GSM-7" and english["segments"] in (1, 2, 3)
    assert seen["languages"]["es"] == {"template": "es", "review": "reviewed", "fell_back": False}

    # The key vouches for this incident, this kind and these texts, and nothing else.
    key = seen["draft_key"]
    for target, sent in (
        (second, body),
        (first, {**body, "texts": {"es": "Otro texto."}}),
        (first, {**body, "kind": "update"}),
    ):
        refused = dario.post(url(target), json={**sent, "draft_key": key})
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "draft_not_previewed"
    assert alerts(db) == []
    published = dario.post(url(first), json={**body, "draft_key": key})
    assert published.status_code == 201, published.text


def test_the_kinds_an_incident_may_get_follow_its_state_and_history(
    dario: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
) -> None:
    verifying = incident(sessions, cast, IncidentState.VERIFYING)
    assert dario.get(f"{url(verifying)}/kinds").json()["allowed"] == ["unconfirmed"]
    confirmed = incident(sessions, cast)
    assert dario.get(f"{url(confirmed)}/kinds").json()["allowed"] == ["confirmed", "update"]
    publish_now(sessions, settings, clock, confirmed)
    assert dario.get(f"{url(confirmed)}/kinds").json()["allowed"] == ["update"]
    unfounded = incident(sessions, cast, IncidentState.UNFOUNDED)
    assert dario.get(f"{url(unfounded)}/kinds").json()["allowed"] == ["rumour_control"]


def test_bad_texts_and_cross_streets_are_refused_and_nothing_is_written(
    dario: TestClient, sessions: sessionmaker[Session], cast: Cast, db: Session
) -> None:
    incident_id = incident(sessions, cast)
    cases: list[tuple[dict[str, object], int, str]] = [
        ({"cross_streets": "1234 E 1st St"}, 422, "text_refused"),  # a house, not streets
        ({"cross_streets": "la casa de Juan Perez"}, 422, "text_refused"),
        ({"cross_streets": "  "}, 422, "invalid_cross_streets"),  # an empty place
        ({"texts": {"en": "x" * 361}}, 422, "alert_text_too_long"),
        ({"short_texts": {"es": "y" * 91}}, 422, "alert_text_too_long"),
        ({"texts": {"en": "   "}}, 422, "alert_text_empty"),
    ]
    for change, status, code in cases:
        answer = dario.post(url(incident_id), json={"kind": "confirmed", **change})
        assert answer.status_code == status, (change, answer.text)
        assert answer.json()["error"]["code"] == code, change
    refused = dario.post(url(incident_id), json={"kind": "confirmed", **cases[0][0]})
    assert refused.json()["error"]["field"] == "cross_streets"
    assert refused.json()["error"]["findings"][0]["text"] == "1234 E 1st St"
    assert alerts(db) == [] and deliveries(db) == []
    chosen = dario.post(
        url(incident_id), json={"kind": "confirmed", "cross_streets": "Soto St & 1st St"}
    )
    assert chosen.status_code == 201, chosen.text
    assert "Soto St & 1st St" in chosen.json()["texts"]["en"]
