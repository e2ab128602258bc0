"""Providers as they really answer, on the real clock: a partner webhook that takes seconds
does not hold up residents' texts, and texts leave at the rate the setting names (the
account's limit), not half of it, while the SMS stand-in takes 100 ms per message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts import servers
from tests.alerts.engine import (
    Holding,
    Running,
    after,
    partners_and_residents,
    timed,
    wait_until,
    wire,
)
from tests.alerts.outbox_factories import deliveries, incident, north, publish_now, subscriber
from tests.alerts.servers import HttpStandIn
from tests.cast import Cast
from vecinos.alerts.models import ChannelKind
from vecinos.alerts.outbox_models import DeliveryStatus
from vecinos.alerts.sending import DeliveryEngine
from vecinos.clock import FrozenClock, SystemClock
from vecinos.config import Settings

PROVIDER_LATENCY = 0.1  # seconds a carrier takes to accept a text
PARTNER_SECONDS = 5.0  # a slow partner's answer: late, but inside the outbound time limit
NUMBERS = [f"+1213555{n:04d}" for n in range(300, 400)]


@pytest.fixture
def twilio() -> Iterator[HttpStandIn]:
    with HttpStandIn(after(PROVIDER_LATENCY, servers.twilio_responder)) as server:
        yield server


@pytest.fixture
def wired(settings: Settings, twilio: HttpStandIn) -> Settings:
    return wire(settings, twilio)


def test_a_partner_that_answers_seconds_late_does_not_delay_the_texts(
    sessions: sessionmaker[Session],
    wired: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
    twilio: HttpStandIn,
) -> None:
    slow = Holding(seconds=PARTNER_SECONDS)
    with HttpStandIn(slow) as partners:
        sent = partners_and_residents(sessions, wired, clock, cast, partners.url, NUMBERS[:20])
        with Running(DeliveryEngine(sessions, wired, clock)):
            wait_until(lambda: slow.arrived == 3, "the partners to be called")
            wait_until(lambda: sent.residents_told(db), "every text", PARTNER_SECONDS)
            assert slow.answered == 0  # every text left while the partners were still busy
            wait_until(lambda: sent.all_sent(db), "the partners' answers", PARTNER_SECONDS * 3)
    assert len(twilio.seen) == 20 and slow.arrived == 3  # each once


def test_texts_leave_at_the_configured_rate_at_a_carriers_latency(
    sessions: sessionmaker[Session],
    wired: Settings,
    cast: Cast,
    db: Session,
    twilio: HttpStandIn,
) -> None:
    """50 texts at the default 10 a second: a second's burst of 10, then 40 more in about 4 s."""
    rate, count = 10.0, 50
    paced = wired.model_copy(update={"alert_sms_per_second": rate})
    for n, number in enumerate(NUMBERS[:count]):
        subscriber(
            sessions, paced, cast.clock, north(100 + n), channel=ChannelKind.SMS, contact=number
        )
    alert_id = publish_now(sessions, paced, cast.clock, incident(sessions, cast))
    arrivals: list[float] = []
    twilio.responder = timed(twilio.responder, arrivals)
    with Running(DeliveryEngine(sessions, paced, SystemClock())):
        wait_until(
            lambda: all(d.status == DeliveryStatus.SENT for d in deliveries(db, alert_id)),
            f"{count} texts",
            15,
        )
    after_burst = count - int(rate)
    span = arrivals[-1] - arrivals[0]
    measured = f"{count} texts in {span:.2f} s: {after_burst / span:.1f}/s after the burst"
    assert len(arrivals) == count
    assert span >= after_burst / rate * 0.9, measured  # never faster than the account allows
    assert after_burst / span >= rate * 0.7, measured  # and the rate is reached, not half of it
