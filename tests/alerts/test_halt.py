"""Stopping every outgoing delivery at once: a coordinator, the command line, or the volume
alarm. A halt stops sending within one worker round, even mid-fan-out; nothing is lost and
nothing is sent twice when it resumes; every organization's audit log says so."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.alerts import servers
from tests.alerts.outbox_factories import (
    deliver_round,
    deliveries,
    incident,
    north,
    publish_now,
    subscriber,
)
from tests.alerts.servers import HttpStandIn, Reply, Seen
from tests.cast import Cast
from tests.dispatch.factories import client_for
from vecinos.accounts.models import AuditEvent
from vecinos.alerts import holds
from vecinos.alerts.models import ChannelKind
from vecinos.alerts.outbox_models import DeliveryStatus
from vecinos.alerts.safety_models import DeliveryHold, HoldReason
from vecinos.cli import app as cli
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction

QUEUED, DELIVERED = DeliveryStatus.QUEUED, DeliveryStatus.DELIVERED


def audit_actions(db: Session, organization_id: int) -> list[str]:
    db.rollback()
    query = select(AuditEvent.action).where(
        AuditEvent.organization_id == organization_id, AuditEvent.action.startswith("alerts.")
    )
    return list(db.scalars(query.order_by(AuditEvent.id)))


def test_a_coordinator_halts_and_resumes_everything(
    app: FastAPI,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
) -> None:
    subscriber(sessions, settings, clock, north(100))
    alert_id = publish_now(sessions, settings, clock, incident(sessions, cast))
    with client_for(app, cast, cast.dario) as dario:
        denied = dario.post("/api/alerts/halt", json={})
        assert denied.status_code == 403  # dispatchers publish; coordinators stop
    with client_for(app, cast, cast.elena) as elena:
        halted = elena.post("/api/alerts/halt", json={"note": "  a hijacked   account "})
        assert halted.status_code == 201 and halted.json()["halted"] is True
        assert halted.json()["note"] == "a hijacked account"
        twice = elena.post("/api/alerts/halt", json={})
        assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_halted"
        assert deliver_round(sessions, settings, clock) == 0  # the next round sends nothing
        assert {d.status for d in deliveries(db, alert_id)} == {QUEUED}
        assert elena.post("/api/alerts/resume").json() == {
            "halted": False,
            "reason": None,
            "since": None,
            "note": None,
        }
        not_halted = elena.post("/api/alerts/resume")
        assert not_halted.status_code == 409 and not_halted.json()["error"]["code"] == "not_halted"
    assert deliver_round(sessions, settings, clock) == 1
    assert {d.status for d in deliveries(db, alert_id)} == {DELIVERED}
    for organization_id in (cast.eastside, cast.westside):  # every coordinator can see it
        assert audit_actions(db, organization_id) == ["alerts.halt", "alerts.resumed"]


class HaltingTwilio:
    """Twilio's stand-in, during which a coordinator halts after the third text."""

    def __init__(self, sessions: sessionmaker[Session], clock: FrozenClock) -> None:
        self.sessions, self.clock, self.numbers = sessions, clock, list[str]()

    def __call__(self, seen: Seen) -> Reply:
        answer = servers.twilio_responder(seen)
        self.numbers.append(parse_qs(seen.body.decode())["To"][0])
        if len(self.numbers) == 3:
            with transaction(self.sessions) as db:
                holds.halt(db, now=self.clock.now(), actor_id=None, note="mid-fan-out")
        return answer


@pytest.fixture
def halting(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> Iterator[tuple[HaltingTwilio, HttpStandIn]]:
    responder = HaltingTwilio(sessions, clock)
    with HttpStandIn(responder) as server:
        yield responder, server


def test_a_halt_mid_fan_out_sends_nothing_more_and_resume_loses_nothing(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
    halting: tuple[HaltingTwilio, HttpStandIn],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    twilio, server = halting
    sms = settings.model_copy(
        update={
            "twilio_base_url": server.url,
            "twilio_account_sid": servers.TWILIO_SID,
            "twilio_auth_token": SecretStr(servers.TWILIO_TOKEN),
            "twilio_from_number": "+12135550100",
            "outbound_allow_private": True,  # the stand-in lives on 127.0.0.1
            "alert_sms_per_second": 1000.0,
            "alert_sms_in_flight": 1,  # one text on the wire at a time: the halt meets the fourth
        }
    )
    numbers = [f"+1213555{n:04d}" for n in range(200, 210)]
    for metres, number in enumerate(numbers):
        subscriber(
            sessions, sms, clock, north(50 + metres), channel=ChannelKind.SMS, contact=number
        )
    alert_id = publish_now(sessions, sms, clock, incident(sessions, cast))

    deliver_round(sessions, sms, clock)  # the halt comes with the third text
    assert len(twilio.numbers) == 3
    rows = deliveries(db, alert_id)
    waiting = [d for d in rows if d.status == QUEUED]
    assert len(waiting) == 7
    assert all(d.claim_token is None and d.attempts == 0 for d in waiting)  # handed back whole
    assert deliver_round(sessions, sms, clock) == 0  # still halted: nothing more

    with transaction(sessions) as writer:
        holds.resume(writer, now=clock.now(), actor_id=cast.elena.member_id)
    deliver_round(sessions, sms, clock)
    assert sorted(twilio.numbers) == sorted(numbers)  # every one, each exactly once
    assert {d.status for d in deliveries(db, alert_id)} == {DeliveryStatus.SENT}


def test_the_volume_alarm_pauses_deliveries_until_a_coordinator_resumes(
    app: FastAPI,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
) -> None:
    settings.alert_alarm_alerts = 2
    subscriber(sessions, settings, clock, north(100))
    first = publish_now(sessions, settings, clock, incident(sessions, cast))
    second = publish_now(sessions, settings, clock, incident(sessions, cast))
    db.rollback()
    assert db.scalar(select(DeliveryHold)) is None  # two alerts in the window: still fine
    third = publish_now(sessions, settings, clock, incident(sessions, cast))  # one too many
    db.rollback()
    hold = db.scalar(select(DeliveryHold))
    assert hold is not None and hold.reason == HoldReason.ALARM and hold.ended_at is None
    assert hold.note == "3 alerts to 3 recipients in 15 minutes"
    assert audit_actions(db, cast.eastside) == ["alerts.alarm"]
    assert audit_actions(db, cast.westside) == ["alerts.alarm"]
    assert deliver_round(sessions, settings, clock) == 0  # paused, all three kept
    with client_for(app, cast, cast.elena) as elena:
        shown = elena.get("/api/alerts/hold").json()
        assert shown["halted"] is True and shown["reason"] == "alarm"
        assert elena.post("/api/alerts/resume").status_code == 200
    assert deliver_round(sessions, settings, clock) == 3
    for alert_id in (first, second, third):
        assert {d.status for d in deliveries(db, alert_id)} == {DELIVERED}

    settings.alert_alarm_alerts, settings.alert_alarm_recipients = 100, 3
    publish_now(sessions, settings, clock, incident(sessions, cast))  # 4 recipients > 3
    db.rollback()
    assert db.scalar(select(DeliveryHold).where(DeliveryHold.ended_at.is_(None))) is not None


def test_the_command_line_halts_and_resumes(
    settings: Settings,
    cast: Cast,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VECINOS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("VECINOS_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("VECINOS_SECRET_KEY", settings.secret)
    runner = CliRunner()
    halted = runner.invoke(cli, ["alerts", "halt", "--note", "phone stolen"])
    assert halted.exit_code == 0, halted.output
    assert "Outgoing alerts stopped" in halted.output
    again = runner.invoke(cli, ["alerts", "halt"])
    assert again.exit_code == 1 and "already stopped" in again.output
    db.rollback()
    hold = db.scalar(select(DeliveryHold))
    assert hold is not None and hold.note == "phone stolen" and hold.started_by is None
    resumed = runner.invoke(cli, ["alerts", "resume"])
    assert resumed.exit_code == 0 and "resumed" in resumed.output
    assert audit_actions(db, cast.eastside) == ["alerts.halt", "alerts.resumed"]
    assert runner.invoke(cli, ["alerts", "resume"]).exit_code == 1
