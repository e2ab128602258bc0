"""The delivery engine: claims, sends through the real channels, retries, fails, paces."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts import servers
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
from vecinos import limits
from vecinos.alerts import delivery, outbox
from vecinos.alerts.models import ChannelKind, Subscription, SubscriptionStatus
from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction

GOOD_NUMBER = "+12135550142"


@pytest.fixture
def twilio() -> Iterator[HttpStandIn]:
    with HttpStandIn(servers.twilio_responder) as server:
        yield server


@pytest.fixture
def sms(settings: Settings, twilio: HttpStandIn) -> Settings:
    return settings.model_copy(
        update={
            "twilio_base_url": twilio.url,
            "outbound_allow_private": True,  # the Twilio stand-in is on 127.0.0.1
            "twilio_account_sid": servers.TWILIO_SID,
            "twilio_auth_token": SecretStr(servers.TWILIO_TOKEN),
            "twilio_from_number": "+12135550100",
        }
    )


def test_each_delivery_goes_out_once_in_its_language(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    subscriber(sessions, settings, clock, north(200))
    subscriber(sessions, settings, clock, north(300), language="es-MX")
    alert_id = publish_now(sessions, settings, clock, incident(sessions, cast))
    with caplog.at_level(logging.INFO, logger="vecinos.alerts.log_channel"):
        assert deliver_round(sessions, settings, clock) == 2
    rows = deliveries(db, alert_id)
    assert {d.status for d in rows} == {DeliveryStatus.DELIVERED}  # the log channel knows
    assert all(d.provider_id and d.attempts == 1 and d.claim_token is None for d in rows)
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2
    assert "CONFIRMED by volunteers" in logged[0] and "CONFIRMADO" in logged[1]
    assert deliver_round(sessions, settings, clock) == 0  # nothing is sent twice


def test_a_fan_out_larger_than_the_lane_goes_out_whole(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    small = settings.model_copy(update={"alert_push_in_flight": 2})  # the log channel's slots
    for metres in range(100, 600, 100):
        subscriber(sessions, small, clock, north(metres))
    alert_id = publish_now(sessions, small, clock, incident(sessions, cast))
    assert deliver_round(sessions, small, clock) == 5  # claim after claim, two at a time
    rows = deliveries(db, alert_id)
    assert len(rows) == 5 and {d.status for d in rows} == {DeliveryStatus.DELIVERED}


def test_sms_goes_to_twilio_and_a_dead_number_ends_its_subscription(
    sessions: sessionmaker[Session],
    sms: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
    twilio: HttpStandIn,
) -> None:
    good = subscriber(
        sessions, sms, clock, north(100), channel=ChannelKind.SMS, contact=GOOD_NUMBER
    )
    dead = subscriber(
        sessions, sms, clock, north(150), channel=ChannelKind.SMS, contact=servers.DEAD_NUMBER
    )
    alert_id = publish_now(sessions, sms, clock, incident(sessions, cast))
    deliver_round(sessions, sms, clock)
    by_subscriber = {d.subscription_id: d for d in deliveries(db, alert_id)}
    assert by_subscriber[good].status == DeliveryStatus.SENT
    assert (by_subscriber[good].provider_id or "").startswith("SM")
    assert by_subscriber[dead].status == DeliveryStatus.FAILED
    assert by_subscriber[dead].last_error == "twilio_21211"
    assert db.get(Subscription, dead).status == SubscriptionStatus.DISABLED  # type: ignore[union-attr]
    assert db.get(Subscription, good).status == SubscriptionStatus.ACTIVE  # type: ignore[union-attr]
    assert len(twilio.seen) == 2


def test_transient_failures_back_off_then_fail(
    sessions: sessionmaker[Session], sms: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    settings = sms.model_copy(update={"alert_max_attempts": 3})
    subscriber(
        sessions, settings, clock, north(100), channel=ChannelKind.SMS, contact=servers.BUSY_NUMBER
    )
    alert_id = publish_now(sessions, settings, clock, incident(sessions, cast))
    started = clock.now()
    deliver_round(sessions, settings, clock)
    (row,) = deliveries(db, alert_id)
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "twilio_20429")
    assert row.next_attempt_at == started + timedelta(seconds=15)
    assert deliver_round(sessions, settings, clock) == 0  # not due yet
    clock.advance(seconds=15)
    deliver_round(sessions, settings, clock)
    (row,) = deliveries(db, alert_id)
    assert row.attempts == 2 and row.next_attempt_at == clock.now() + timedelta(seconds=30)
    clock.advance(seconds=30)
    deliver_round(sessions, settings, clock)
    (row,) = deliveries(db, alert_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert db.get(Subscription, row.subscription_id).status == "active"  # type: ignore[union-attr]


def test_an_unconfigured_channel_keeps_its_deliveries_queued(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    subscriber(sessions, settings, clock, north(100), channel=ChannelKind.SMS, contact=GOOD_NUMBER)
    alert_id = publish_now(sessions, settings, clock, incident(sessions, cast))
    assert deliver_round(sessions, settings, clock) == 0
    (row,) = deliveries(db, alert_id)
    assert (row.status, row.attempts, row.claim_token) == ("queued", 0, None)  # never claimed


def test_an_alert_that_expired_is_never_sent_late(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    subscriber(sessions, settings, clock, north(100))
    alert_id = publish_now(sessions, settings, clock, incident(sessions, cast))
    clock.advance(minutes=settings.alert_expiry_minutes)
    with transaction(sessions) as writer:  # the worker job, before the engine's next claim
        assert delivery.expire_stale(writer, clock.now(), settings) == 1
    assert deliver_round(sessions, settings, clock) == 0
    (row,) = deliveries(db, alert_id)
    assert (row.status, row.last_error, row.attempts) == ("failed", "expired", 0)


def test_a_subscriber_who_stopped_after_publishing_gets_nothing(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    stopped = subscriber(sessions, settings, clock, north(100))
    alert_id = publish_now(sessions, settings, clock, incident(sessions, cast))
    with transaction(sessions) as writer:
        found = writer.get(Subscription, stopped)
        assert found is not None
        found.status = SubscriptionStatus.UNSUBSCRIBED
    deliver_round(sessions, settings, clock)
    (row,) = deliveries(db, alert_id)
    assert (row.status, row.last_error) == ("failed", "not_subscribed")


def test_a_claim_is_exclusive_until_its_lease_runs_out(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast
) -> None:
    for metres in (100, 200, 300):
        subscriber(sessions, settings, clock, north(metres))
    publish_now(sessions, settings, clock, incident(sessions, cast))

    def claim(token: str) -> int:
        with transaction(sessions) as db:
            now = clock.now()
            return len(delivery.claim_ids(db, ChannelKind.LOG, token, now, settings, limit=10))

    assert claim("a" * 32) == 3
    assert claim("b" * 32) == 0
    clock.advance(seconds=settings.alert_claim_seconds)  # the first claimer died
    assert claim("b" * 32) == 3


def test_a_late_outcome_does_not_overwrite_the_next_claimers_work(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast, db: Session
) -> None:
    subscriber(sessions, settings, clock, north(100))
    alert_id = publish_now(sessions, settings, clock, incident(sessions, cast))
    slow, fast = "a" * 32, "b" * 32
    with transaction(sessions) as writer:
        delivery.claim_ids(writer, ChannelKind.LOG, slow, clock.now(), settings, limit=1)
    clock.advance(seconds=settings.alert_claim_seconds)
    with transaction(sessions) as writer:
        delivery.claim_ids(writer, ChannelKind.LOG, fast, clock.now(), settings, limit=1)
    (row,) = deliveries(db, alert_id)
    late = delivery.Outcome(row.id, row.subscription_id, 1, provider_id="late")
    with transaction(sessions) as writer:
        delivery.record(writer, [late], token=slow, now=clock.now(), settings=settings)
    (row,) = deliveries(db, alert_id)
    assert (row.status, row.claim_token, row.provider_id) == ("queued", fast, None)


def test_a_rate_is_shared_by_every_worker_and_refills_with_time(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    """Two workers take from one bucket: together they never pass the channel's rate."""

    def take(want: int) -> tuple[int, float]:
        with transaction(sessions) as db:
            return limits.take(db, "alerts.sms", rate=10, burst=10, want=want, now=clock.now())

    assert take(6) == (6, 0.0)  # worker one
    granted, wait = take(6)  # worker two, the same second: what is left
    assert granted == 4 and wait == pytest.approx(0.1)
    granted, wait = take(1)
    assert granted == 0 and wait == pytest.approx(0.1)
    clock.advance(seconds=0.5)
    assert take(10)[0] == 5
    clock.advance(seconds=60)
    assert take(100)[0] == 10  # never more than a second's burst


def test_two_processes_creating_the_same_bucket_at_once_both_get_their_share(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    """The bucket does not exist yet and two workers want it at the same moment: the second
    waits for the first to commit and takes what is left, instead of failing on the key."""
    first = sessions()
    try:
        assert limits.take(first, "alerts.new", rate=10, burst=10, want=6, now=clock.now())[0] == 6
        with ThreadPoolExecutor(max_workers=1) as pool:
            second = pool.submit(_take_in_own_transaction, sessions, "alerts.new", 6, clock)
            _wait_until_someone_waits_for_a_lock(sessions)
            first.commit()
            assert second.result(timeout=60)[0] == 4
    finally:
        first.close()


def _wait_until_someone_waits_for_a_lock(sessions: sessionmaker[Session]) -> None:
    """On PostgreSQL, until the second worker is blocked on the first one's new row (SQLite's
    write lock keeps the second from even reading before the first commits)."""
    with sessions() as db:
        if db.get_bind().dialect.name != "postgresql":
            return
        deadline = time.monotonic() + 30
        while not db.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
            assert time.monotonic() < deadline, "the second worker never reached the bucket"
            db.rollback()
            time.sleep(0.01)


def _take_in_own_transaction(
    sessions: sessionmaker[Session], key: str, want: int, clock: FrozenClock
) -> tuple[int, float]:
    with transaction(sessions) as db:
        return limits.take(db, key, rate=10, burst=10, want=want, now=clock.now())


def test_a_direct_message_no_channel_took_lapses_and_forgets_the_contact(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, db: Session
) -> None:
    with transaction(sessions) as writer:  # no SMS provider: nothing will ever send it
        outbox.queue_direct(
            writer,
            channel=ChannelKind.SMS,
            message=outbox.DirectMessage("vecinos: volunteers checked your report."),
            language="es",
            purpose="status",
            settings=settings,
            now=clock.now(),
            contact="+12135550177",
        )
    with transaction(sessions) as writer:
        assert delivery.expire_stale(writer, clock.now(), settings) == 0  # not yet
    clock.advance(seconds=outbox.LONGEST_WAIT.total_seconds())
    with transaction(sessions) as writer:
        assert delivery.expire_stale(writer, clock.now(), settings) == 1
    db.rollback()
    (row,) = db.scalars(select(Delivery).where(Delivery.alert_id.is_(None))).all()
    assert (row.status, row.last_error) == ("failed", "expired")
    assert row.contact_encrypted is None and row.message_encrypted is None
