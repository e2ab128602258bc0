"""The delivery engine: one outbox for opt-ins and alerts, lanes that do not wait for each
other, claims kept while a slow send is on the wire, a wake-up on publish, the shared rate."""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts import servers
from tests.alerts.engine import (
    Holding,
    Running,
    partner,
    partners_and_residents,
    timed,
    wait_until,
    wire,
)
from tests.alerts.factories import OPT_INS, counts, subscribe
from tests.alerts.outbox_factories import (
    deliver_round,
    deliveries,
    incident,
    north,
    publish_now,
    subscriber,
)
from tests.alerts.servers import HttpStandIn
from tests.cast import Cast
from vecinos import events
from vecinos.alerts import outbox
from vecinos.alerts.models import ChannelKind
from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.alerts.sending import DeliveryEngine
from vecinos.clock import FrozenClock, SystemClock
from vecinos.config import Settings
from vecinos.db import is_sqlite, transaction

GOOD_NUMBERS = [f"+1213555{n:04d}" for n in range(200, 260)]


@pytest.fixture
def twilio() -> Iterator[HttpStandIn]:
    with HttpStandIn(servers.twilio_responder) as server:
        yield server


@pytest.fixture
def wired(settings: Settings, twilio: HttpStandIn) -> Settings:
    return wire(settings, twilio)


def sms_bodies(twilio: HttpStandIn) -> list[dict[str, str]]:
    return [{k: v[0] for k, v in parse_qs(seen.body.decode()).items()} for seen in twilio.seen]


# ---- one outbox: opt-in codes and links are deliveries --------------------------------------


def test_codes_and_links_go_out_once_through_the_real_channels(
    client: TestClient,
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
        assert deliver_round(sessions, wired, clock) == 2
        assert deliver_round(sessions, wired, clock) == 0  # once
    (sms,) = sms_bodies(twilio)
    assert sms["To"] == "+12135550142" and "su código es" in sms["Body"]
    code = re.search(r"\b(\d{6})\b", sms["Body"])
    assert code is not None
    confirm = {"handle": made["handle"], "code": code.group(1)}
    assert client.post("/api/alerts/subscriptions/confirm", json=confirm).status_code == 200
    (envelope,) = mailbox.messages
    received = email.message_from_bytes(
        envelope.original_content or b"", policy=email.policy.default
    )
    assert received["To"] == "resident@example.org" and "confirm" in received["Subject"]
    link = re.search(r"/alerts/confirm\?token=(\S+)", received.get_content())
    assert link is not None
    token = {"token": link.group(1)}
    assert client.post("/api/alerts/subscriptions/confirm-link", json=token).status_code == 200


def test_a_dead_number_drops_the_pending_subscription_a_busy_one_is_retried(
    client: TestClient,
    db: Session,
    sessions: sessionmaker[Session],
    wired: Settings,
    clock: FrozenClock,
) -> None:
    subscribe(client, contact=servers.DEAD_NUMBER)
    subscribe(client, contact=servers.BUSY_NUMBER)
    assert deliver_round(sessions, wired, clock) == 0
    assert counts(db) == (1, 0, 1)  # the dead number's subscription is gone, and its code
    (waiting,) = db.scalars(select(Delivery).where(OPT_INS))
    assert (waiting.status, waiting.last_error) == (DeliveryStatus.QUEUED, "twilio_20429")


def test_a_lapsed_code_is_not_sent(
    client: TestClient,
    db: Session,
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    clock: FrozenClock,
) -> None:
    subscribe(client)
    clock.advance(minutes=wired.alert_confirm_minutes)
    assert deliver_round(sessions, wired, clock) == 0
    assert twilio.seen == []
    db.rollback()
    (lapsed,) = db.scalars(select(Delivery).where(OPT_INS))
    assert (lapsed.status, lapsed.last_error) == (DeliveryStatus.FAILED, "expired")


# ---- lanes, leases, wake-ups, rates --------------------------------------------------------


def test_a_partner_that_does_not_answer_never_delays_the_residents(
    sessions: sessionmaker[Session],
    wired: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
    twilio: HttpStandIn,
) -> None:
    holding = Holding()
    with HttpStandIn(holding) as slow:
        sent = partners_and_residents(sessions, wired, clock, cast, slow.url, GOOD_NUMBERS[:20])
        with Running(DeliveryEngine(sessions, wired, clock)):
            wait_until(lambda: holding.arrived == 3, "the partners to be called")
            wait_until(lambda: sent.residents_told(db), "every text")  # while the partners hang
            assert not holding.release.is_set()
            holding.release.set()
            wait_until(lambda: sent.all_sent(db), "the partners")
    assert len(twilio.seen) == 20


def test_a_send_slower_than_its_lease_keeps_its_claim(
    sessions: sessionmaker[Session],
    wired: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
) -> None:
    """The engine renews its lease while the send is on the wire, so another worker whose
    clock says the lease is over still finds the delivery taken."""
    short = wired.model_copy(update={"alert_claim_seconds": 6})  # renewed every 2 s
    holding = Holding()
    with HttpStandIn(holding) as slow:
        subscriber(
            sessions,
            short,
            clock,
            north(50),
            channel=ChannelKind.WEBHOOK,
            contact=partner(slow.url),
        )
        alert_id = publish_now(sessions, short, clock, incident(sessions, cast))
        with Running(DeliveryEngine(sessions, short, clock)):
            wait_until(lambda: holding.arrived == 1, "the partner to be called")
            (row,) = deliveries(db, alert_id)
            first_lease = row.claimed_until
            assert first_lease is not None
            clock.advance(seconds=6)  # the first lease is over …
            wait_until(
                lambda: (deliveries(db, alert_id)[0].claimed_until or first_lease) > first_lease,
                "the lease to be renewed",
            )
            assert deliver_round(sessions, short, clock) == 0  # … but the claim holds
            holding.release.set()
            wait_until(lambda: deliveries(db, alert_id)[0].status == "sent", "the send")
        assert holding.arrived == 1  # sent once


@pytest.fixture
def listening(engine: Engine) -> Iterator[None]:
    """This process hears other processes' events, as a worker process does (on PostgreSQL:
    a LISTEN connection; on SQLite the one process hears its own)."""
    if is_sqlite(str(engine.url)):
        yield
        return
    listener = events.Listener(engine).start()
    assert listener.ready.wait(10)
    yield
    listener.stop()


@pytest.mark.usefixtures("listening")
def test_a_published_alert_wakes_a_sleeping_engine(
    sessions: sessionmaker[Session],
    wired: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
) -> None:
    sleepy = wired.model_copy(update={"worker_poll_seconds": 300})
    subscriber(sessions, sleepy, clock, north(100))
    with Running(DeliveryEngine(sessions, sleepy, clock)):
        alert_id = publish_now(sessions, sleepy, clock, incident(sessions, cast))
        # Without the outbox event it would sleep its 300 s poll.
        wait_until(lambda: deliveries(db, alert_id)[0].status == "delivered", "the alert", 20)


def test_the_channel_rate_is_reached_and_never_passed(
    sessions: sessionmaker[Session],
    wired: Settings,
    cast: Cast,
    db: Session,
    twilio: HttpStandIn,
) -> None:
    """40 texts at 10 a second, on the real clock: a second's burst, then 10 a second, so the
    last 30 take about 3 s, not less, and not much more."""
    clock = SystemClock()
    paced = wired.model_copy(update={"alert_sms_per_second": 10.0, "alert_sms_in_flight": 16})
    for n, number in enumerate(GOOD_NUMBERS[:40]):
        subscriber(
            sessions, paced, cast.clock, north(100 + n), channel=ChannelKind.SMS, contact=number
        )
    arrivals: list[float] = []
    twilio.responder = timed(twilio.responder, arrivals)
    with Running(DeliveryEngine(sessions, paced, clock)):
        # No text can leave before the alert exists: the last must arrive at least the 30
        # texts after the burst's 3 s later. A bound, not a measure of the first arrival,
        # which on a loaded machine waits for connections to open.
        published_at = time.monotonic()
        alert_id = publish_now(sessions, paced, cast.clock, incident(sessions, cast))
        wait_until(
            lambda: all(d.status == "sent" for d in deliveries(db, alert_id)), "40 texts", 60
        )
    arrivals.sort()
    assert arrivals[-1] - published_at >= (40 - 10) / 10 * 0.97  # never faster than the rate
    # Timed from the first text after the burst: the burst's own arrival times include opening
    # ten connections, which on a loaded machine may take longer than the refill that follows.
    span = arrivals[-1] - arrivals[10]
    assert (40 - 11) / span >= 10 * 0.6  # and the rate is reached, not half of it


# ---- direct messages to people who are not subscribers ---------------------------------------


def test_a_direct_message_goes_out_once_and_leaves_no_contact_behind(
    sessions: sessionmaker[Session],
    wired: Settings,
    clock: FrozenClock,
    db: Session,
    twilio: HttpStandIn,
) -> None:
    with transaction(sessions) as writer:
        for number, expires in (("+12135550177", None), ("+12135550178", clock.now())):
            outbox.queue_direct(
                writer,
                channel=ChannelKind.SMS,
                message=outbox.DirectMessage("vecinos: volunteers checked your report."),
                language="en",
                purpose="status",
                settings=wired,
                now=clock.now(),
                contact=number,
                expires_at=expires,
            )
    assert deliver_round(sessions, wired, clock) == 1
    (sms,) = sms_bodies(twilio)
    assert sms["To"] == "+12135550177" and "checked your report" in sms["Body"]
    db.rollback()
    rows = {d.status: d for d in db.scalars(select(Delivery))}
    assert set(rows) == {DeliveryStatus.SENT, DeliveryStatus.FAILED}
    assert rows[DeliveryStatus.FAILED].last_error == "expired"  # not worth sending any more
    # Settled: neither the number nor the text stays in the outbox.
    assert all(d.contact_encrypted is None and d.message_encrypted is None for d in rows.values())
    assert all(d.subscription_id is None and d.purpose == "status" for d in rows.values())


def test_a_direct_message_goes_to_a_subscription_or_a_contact(
    sessions: sessionmaker[Session], wired: Settings, clock: FrozenClock
) -> None:
    with transaction(sessions) as writer, pytest.raises(ValueError, match="not both"):
        outbox.queue_direct(
            writer,
            channel=ChannelKind.SMS,
            message=outbox.DirectMessage("x"),
            language="en",
            purpose="status",
            settings=wired,
            now=clock.now(),
        )
