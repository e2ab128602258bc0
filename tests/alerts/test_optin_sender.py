"""Opt-in codes and links go out through the real channels (Twilio stand-in, aiosmtpd), once."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts import servers
from tests.alerts.factories import counts, subscribe
from tests.alerts.servers import HttpStandIn
from vecinos.alerts.channels import channels_for
from vecinos.alerts.models import OptInMessage
from vecinos.alerts.optin_sender import send_opt_ins, send_pending
from vecinos.clock import FrozenClock
from vecinos.config import Settings


@pytest.fixture
def twilio() -> Iterator[HttpStandIn]:
    with HttpStandIn(servers.twilio_responder) as server:
        yield server


@pytest.fixture
def wired(settings: Settings, twilio: HttpStandIn) -> Settings:
    """The app's own settings object, pointed at the stand-ins (the app reads it per request)."""
    settings.twilio_base_url = twilio.url
    settings.outbound_allow_private = True  # the Twilio stand-in is on 127.0.0.1
    settings.twilio_account_sid = servers.TWILIO_SID
    settings.twilio_auth_token = SecretStr(servers.TWILIO_TOKEN)
    settings.twilio_from_number = "+12135550100"
    return settings


def sms_bodies(twilio: HttpStandIn) -> list[dict[str, str]]:
    return [{k: v[0] for k, v in parse_qs(seen.body.decode()).items()} for seen in twilio.seen]


def test_codes_and_links_go_out_once_through_the_real_channels(
    client: TestClient,
    db: Session,
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    made = subscribe(client, contact="(213) 555-0142", language="es")
    subscribe(client, channel="email", contact="resident@example.org", language="en")
    with servers.smtp_server(tmp_path) as (mailbox, port, ca):
        wired.smtp_host, wired.smtp_port, wired.smtp_ca_file = "127.0.0.1", port, ca
        wired.smtp_username, wired.smtp_password = (
            servers.SMTP_USER,
            SecretStr(servers.SMTP_PASSWORD),
        )
        channels = channels_for(wired, clock)
        assert send_pending(sessions, channels, now=clock.now(), settings=wired) == 2
        assert send_pending(sessions, channels, now=clock.now(), settings=wired) == 0
    (sms,) = sms_bodies(twilio)
    assert sms["To"] == "+12135550142" and "su código es" in sms["Body"]
    code = re.search(r"\b(\d{6})\b", sms["Body"])
    assert code is not None
    confirmed = client.post(
        "/api/alerts/subscriptions/confirm", json={"handle": made["handle"], "code": code.group(1)}
    )
    assert confirmed.status_code == 200
    (envelope,) = mailbox.messages
    received = email.message_from_bytes(
        envelope.original_content or b"", policy=email.policy.default
    )
    assert received["To"] == "resident@example.org" and "confirm" in received["Subject"]
    link = re.search(r"/alerts/confirm\?token=(\S+)", received.get_content())
    assert link is not None
    assert (
        client.post(
            "/api/alerts/subscriptions/confirm-link", json={"token": link.group(1)}
        ).status_code
        == 200
    )


def test_a_dead_number_drops_the_pending_subscription_a_busy_one_is_retried(
    client: TestClient,
    db: Session,
    sessions: sessionmaker[Session],
    wired: Settings,
    clock: FrozenClock,
) -> None:
    subscribe(client, contact=servers.DEAD_NUMBER)
    subscribe(client, contact=servers.BUSY_NUMBER)
    channels = channels_for(wired, clock)
    assert send_pending(sessions, channels, now=clock.now(), settings=wired) == 0
    db.rollback()
    assert counts(db)[0] == 1  # the dead number's subscription is gone, cells and all
    assert db.scalars(select(OptInMessage.sent_at)).one() is None  # waiting for the next round


def test_a_lapsed_code_is_not_sent_and_the_worker_job_uses_its_own_transactions(
    client: TestClient,
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    clock: FrozenClock,
) -> None:
    subscribe(client)
    later = clock.now().replace(hour=23)
    with sessions() as worker_session:
        assert send_opt_ins(worker_session, later, wired) == 0
        assert send_opt_ins(worker_session, clock.now(), wired) == 1
    assert len(twilio.seen) == 1


def test_the_worker_sends_waiting_codes_after_its_own_transaction(
    client: TestClient,
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    clock: FrozenClock,
) -> None:
    from vecinos.worker.registry import load_jobs
    from vecinos.worker.runner import Worker

    subscribe(client)
    jobs = [job for job in load_jobs() if job.name == "alerts.send_opt_ins"]
    assert len(jobs) == 1
    worker = Worker(sessions, wired, clock, jobs=jobs)
    worker.tick()
    assert len(twilio.seen) == 1
    worker.tick()  # claimed once: a second round sends nothing more
    assert len(twilio.seen) == 1


def test_a_round_with_nothing_waiting_builds_no_channels(
    client: TestClient,
    sessions: sessionmaker[Session],
    wired: Settings,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_channels(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("channels (and their HTTP client) built for nothing")

    monkeypatch.setattr("vecinos.alerts.optin_sender.channels_for", no_channels)
    subscribe(client)
    later = clock.now().replace(hour=23)  # the code has lapsed: nothing to send
    with sessions() as worker_session:
        assert send_opt_ins(worker_session, later, wired) == 0
        with pytest.raises(AssertionError, match="built for nothing"):
            send_opt_ins(worker_session, clock.now(), wired)  # one waiting: channels are built
