"""The delivery worker: claim due deliveries, send them through their channel, record the outcome.

Two phases, so no database lock is held while a message is on the wire:

1. `deliver_due` (a worker job, inside the worker's transaction) claims a batch: each due
   delivery gets this round's token and a lease (`alert_claim_seconds`). On PostgreSQL the
   candidates are read `FOR UPDATE SKIP LOCKED`, so two workers never take the same rows; on
   both databases the claim is a conditional UPDATE that only takes rows still unclaimed.
2. When that transaction commits, `_send_claimed` sends the batch and records every outcome in
   short transactions of its own (a few sends each), guarded by the claim token.

A worker killed between the two leaves claimed rows whose lease runs out: the next worker takes
them again, so nothing is lost. A worker killed mid-send loses at most the outcomes not yet
recorded; those are sent again with the same idempotency key, which a provider that honours
it uses to drop the duplicate. Exactly one delivery row per recipient exists throughout (a
unique constraint), and a sent one is never claimed again.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    Select,
    Table,
    and_,
    any_,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sa_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from vecinos.alerts import bulk, holds, outgoing, subscriptions
from vecinos.alerts.channels.base import Channel, SendError
from vecinos.alerts.models import ChannelKind, Subscription, SubscriptionStatus
from vecinos.alerts.outbox_models import Alert, Delivery, DeliveryStatus
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import AtTransactionEnd
from vecinos.worker.claims import rowcount

log = logging.getLogger("vecinos.alerts.delivery")

# Outcomes are written every RECORD_SECONDS (or RECORD_EVERY of them, for a fast channel):
# a killed worker re-sends at most what it sent in that last moment.
RECORD_EVERY = 500
RECORD_SECONDS = 0.25
SUBSCRIBER_PURPOSE = "subscriber"


@dataclass(frozen=True)
class Round:
    token: str
    now: datetime
    settings: Settings
    ids: tuple[int, ...] = ()  # the deliveries this round claimed


@dataclass
class Outcome:
    delivery_id: int
    subscription_id: int
    attempts: int
    provider_id: str | None = None
    error: str | None = None
    permanent: bool = False
    disable: bool = False
    delivered: bool = False  # the channel knows at once (the log channel)


# ---- phase 1: claiming (the worker job) -----------------------------------------------------


def due(now: datetime) -> ColumnElement[bool]:
    """Queued, its time has come, and nobody holds a live claim on it."""
    return and_(
        # A literal, not a parameter: then even a generic (prepared) plan may use the
        # partial due index.
        Delivery.status == literal(DeliveryStatus.QUEUED.value, literal_execute=True),
        Delivery.next_attempt_at <= now,
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= now),
    )


def per_round(channel: ChannelKind, settings: Settings) -> int:
    """Claim no more than a round can send within the channel's rate (per worker)."""
    rate = rate_of(channel, settings)
    if rate is None:
        return settings.worker_batch_size
    return max(1, min(settings.worker_batch_size, math.ceil(rate * settings.worker_poll_seconds)))


def rate_of(channel: ChannelKind, settings: Settings) -> float | None:
    rates = {
        ChannelKind.SMS: settings.alert_sms_per_second,
        ChannelKind.EMAIL: settings.alert_email_per_second,
        ChannelKind.PUSH: settings.alert_push_per_second,
        ChannelKind.WEBHOOK: settings.alert_webhook_per_second,
    }
    return rates.get(channel)  # the log channel has no provider to protect


def deliver_due(db: Session, now: datetime, settings: Settings) -> int:
    """Claim this round's due deliveries; they are sent once the worker's transaction commits."""
    expire_stale(db, now)
    if not holds.may_deliver(db):
        return 0  # halted: everything waits, queued, for `resume`
    token = secrets.token_hex(16)
    ids = [i for channel in ChannelKind for i in claim_ids(db, channel, token, now, settings)]
    if ids:
        _rounds.add(db, Round(token, now, settings, tuple(ids)))
    return len(ids)


def candidates(channel: ChannelKind, now: datetime, limit: int) -> Select[int]:
    """The oldest due deliveries of a channel: the partial due index answers it, in order."""
    return (
        select(Delivery.id)
        .where(Delivery.channel == channel.value, due(now))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )


def claim(db: Session, channel: ChannelKind, token: str, now: datetime, settings: Settings) -> int:
    return len(claim_ids(db, channel, token, now, settings))


def claim_ids(
    db: Session, channel: ChannelKind, token: str, now: datetime, settings: Settings
) -> list[int]:
    """Take up to a round's worth of `channel`'s due deliveries; returns the ids won."""
    query = candidates(channel, now, per_round(channel, settings))
    lease = now + timedelta(seconds=settings.alert_claim_seconds)
    claimed = {"claim_token": token, "claimed_until": lease, "attempts": Delivery.attempts + 1}
    if db.get_bind().dialect.name == "postgresql":
        # One statement: the rows the sub-select locks (skipping those another worker holds)
        # are this round's, and RETURNING says which they are. The sub-select runs once, as
        # an array (`id IN (sub-select)` may be run again per row, past its LIMIT). The
        # locked rows need no second due test, and without one only the primary key can
        # find them: with stale statistics (right after a fan-out) PostgreSQL otherwise
        # walked the due index, testing every row against the whole array.
        picked = query.with_for_update(skip_locked=True).subquery("picked")
        as_array = sa_cast(select(func.array_agg(picked.c.id)).scalar_subquery(), ARRAY(Integer))
        taking = (
            update(Delivery)
            .where(Delivery.id == any_(as_array))
            .values(claimed)
            .returning(Delivery.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(db.scalars(taking))
    ids = list(db.scalars(query))
    if not ids:
        return []
    # The WHERE repeats the due test: a row another worker claimed since the SELECT no
    # longer matches, and the row count says how many this round really won.
    won = rowcount(
        db,
        update(Delivery)
        .where(Delivery.id.in_(ids), due(now))
        .values(claimed)
        .execution_options(synchronize_session=False),
    )
    if won == len(ids):
        return ids
    mine = select(Delivery.id).where(Delivery.id.in_(ids), Delivery.claim_token == token)
    return list(db.scalars(mine.order_by(Delivery.id)))


def expire_stale(db: Session, now: datetime) -> None:
    """Deliveries of alerts that expired before they could go are failed, never sent late."""
    expired = select(Alert.id).where(Alert.expires_at <= now)
    db.execute(
        update(Delivery)
        .where(Delivery.alert_id.in_(expired), due(now))
        .values(status=DeliveryStatus.FAILED.value, last_error="expired", finished_at=now)
        .execution_options(synchronize_session=False)
    )


# ---- phase 2: sending, after the claim committed --------------------------------------------


def _send_after_commit(session: Session, rounds: list[Round]) -> None:
    for round_ in rounds:
        drain(session.get_bind(), round_)


_rounds = AtTransactionEnd[Round]("delivery_rounds", on_commit=_send_after_commit)


def drain(bind: Engine | Connection, first: Round) -> int:
    """Send the claimed batch, then claim and send more while work is due, for up to one poll
    interval: a fan-out then runs at the channels' pace, not at the worker's poll rate, and
    the worker's other jobs still get their turn."""
    started = time.monotonic()
    budget = max(1.0, first.settings.worker_poll_seconds)
    pace = Pacer(first.settings)
    round_: Round | None = first
    sent = 0
    while round_ is not None:
        sent += send_round(Session(bind=bind), round_, pace)
        elapsed = time.monotonic() - started
        round_ = _claim_more(bind, first, elapsed) if elapsed < budget else None
    return sent


def _claim_more(bind: Engine | Connection, first: Round, elapsed: float) -> Round | None:
    now = first.now + timedelta(seconds=elapsed)
    token = secrets.token_hex(16)
    with Session(bind=bind) as db, db.begin():
        if not holds.may_deliver(db):
            return None
        ids = [i for c in ChannelKind for i in claim_ids(db, c, token, now, first.settings)]
    return Round(token, now, first.settings, tuple(ids)) if ids else None


def send_round(db: Session, round_: Round, pace: Pacer | None = None) -> int:
    """Send every delivery this round claimed; returns how many the channels accepted."""
    rows = _claimed(db, round_)
    messages = outgoing.Messages(_alerts(db, {row.alert_id for row in rows}), round_.settings)
    if rows and not holds.may_deliver(db):  # halted since the claim: send none of them
        _hand_back(db, round_, rows)
        rows = []
    db.rollback()  # no transaction stays open while messages are on the wire
    if not rows:
        db.close()
        return 0
    channels = outgoing.build_channels(round_.settings, round_.now)
    pace = pace or Pacer(round_.settings)
    opener = _encryptor(round_.settings.secret, tuple(round_.settings.old_secrets))
    pending: list[Outcome] = []
    flushed_at = time.monotonic()
    accepted = done = 0
    try:
        for row in rows:
            pace.wait(ChannelKind(row.channel))
            outcome = send_one(channels, row, messages, opener)
            accepted += outcome.error is None
            done += 1
            pending.append(outcome)
            if len(pending) >= RECORD_EVERY or time.monotonic() - flushed_at > RECORD_SECONDS:
                record(db, pending, round_)
                pending, flushed_at = [], time.monotonic()
                if _halted(db):  # a halt mid-round: the rest waits for resume
                    break
    finally:
        if pending:
            record(db, pending, round_)
        _hand_back(db, round_, rows[done:])
        db.close()
    return accepted


def _halted(db: Session) -> bool:
    paused = not holds.may_deliver(db)
    db.rollback()  # no transaction stays open while messages are on the wire
    return paused


def _hand_back(db: Session, round_: Round, rows: Sequence[Claimed]) -> None:
    if rows:
        with _transaction(db):
            holds.release_unsent(db, round_.token, [row.id for row in rows])


class Claimed(NamedTuple):
    """One claimed delivery as plain values: what sending it needs, and nothing more."""

    id: int
    alert_id: int
    subscription_id: int
    channel: str
    language: str
    attempts: int
    idempotency_key: str
    subscription_status: str
    contact_encrypted: bytes


def _claimed(db: Session, round_: Round) -> list[Claimed]:
    # Plain columns, not ORM objects: a round may hold thousands of rows. By id (the primary
    # key), still held by this round's token, not yet recorded.
    query = (
        select(
            Delivery.id,
            Delivery.alert_id,
            Delivery.subscription_id,
            Delivery.channel,
            Delivery.language,
            Delivery.attempts,
            Delivery.idempotency_key,
            Subscription.status,
            Subscription.contact_encrypted,
        )
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(
            bulk.among(db, Delivery.id, round_.ids),
            Delivery.claim_token == round_.token,
            Delivery.status == DeliveryStatus.QUEUED.value,
        )
        .order_by(Delivery.id)
    )
    return [Claimed(*row) for row in db.execute(query)] if round_.ids else []


def _alerts(db: Session, ids: set[int]) -> dict[int, Alert]:
    if not ids:
        return {}
    found = db.scalars(select(Alert).where(Alert.id.in_(ids))).all()
    db.expunge_all()  # detached: nothing to expire or refresh at the commits that follow
    return {alert.id: alert for alert in found}


def send_one(
    channels: Mapping[ChannelKind, Channel],
    row: Claimed,
    messages: outgoing.Messages,
    opener: Encryptor,
) -> Outcome:
    outcome = Outcome(row.id, row.subscription_id, row.attempts)
    if row.subscription_status != SubscriptionStatus.ACTIVE:
        outcome.error, outcome.permanent = "not_subscribed", True  # STOP after publishing
        return outcome
    channel = channels.get(ChannelKind(row.channel))
    if channel is None:  # not configured (yet): keep it queued for when it is
        outcome.error = "channel_not_configured"
        return outcome
    contact = opener.decrypt(row.contact_encrypted)
    message = messages.to(row.alert_id, row.language, contact, row.idempotency_key, row.channel)
    try:
        result = channel.send(message)
    except SendError as exc:
        outcome.error = exc.code or type(exc).__name__
        # A permanent error is about the contact (a dead number, a dropped push subscription).
        outcome.permanent = outcome.disable = exc.permanent
    except Exception as exc:  # a bug in an adapter must not stop the round: retry later
        log.exception("delivery %s: unexpected error", row.id)
        outcome.error = type(exc).__name__
    else:
        outcome.provider_id = result.provider_id
        outcome.delivered = result.status == DeliveryStatus.DELIVERED.value
    return outcome


def record(db: Session, outcomes: Sequence[Outcome], round_: Round) -> None:
    """Write outcomes in one short transaction, one UPDATE per kind of outcome.

    The claim token is part of the WHERE: a row whose lease ran out and that another worker
    took since is left to that worker.
    """
    groups: dict[tuple[str, ...], list[tuple[object, ...]]] = {}
    for outcome in outcomes:
        values = _values(outcome, round_)
        keys = tuple(sorted(values))
        groups.setdefault(keys, []).append((outcome.delivery_id, *(values[k] for k in keys)))
    table = cast(Table, Delivery.__table__)
    released = {"claim_token": None, "claimed_until": None}
    mine = {"claim_token": round_.token}
    with _transaction(db):
        for keys, rows in groups.items():
            bulk.update_by_id(db, table, keys, rows, also=released, guard=mine)
        for outcome in outcomes:
            if outcome.disable:
                subscriptions.disable(db, outcome.subscription_id, now=round_.now)


@cache
def _encryptor(secret: str, old_secrets: tuple[str, ...]) -> Encryptor:
    return Encryptor(secret, SUBSCRIBER_PURPOSE, old_secrets)


@contextmanager
def _transaction(db: Session) -> Iterator[None]:
    try:
        yield
        db.commit()
    except BaseException:
        db.rollback()
        raise


def _values(outcome: Outcome, round_: Round) -> dict[str, object]:
    now, settings = round_.now, round_.settings
    if outcome.error is None:
        status = DeliveryStatus.DELIVERED if outcome.delivered else DeliveryStatus.SENT
        done: dict[str, object] = {
            "status": status.value,
            "provider_id": outcome.provider_id,
            "sent_at": now,
        }
        return {**done, "finished_at": now} if outcome.delivered else done
    failed = {"status": DeliveryStatus.FAILED.value, "finished_at": now}
    if outcome.permanent or outcome.attempts >= settings.alert_max_attempts:
        return {**failed, "last_error": outcome.error[:120]}
    return {"last_error": outcome.error[:120], "next_attempt_at": now + backoff(outcome, settings)}


def backoff(outcome: Outcome, settings: Settings) -> timedelta:
    """15 s, 30 s, 1 min, 2 min … capped: a provider that is down is not hammered."""
    seconds = settings.alert_retry_base_seconds * 2 ** max(0, outcome.attempts - 1)
    return timedelta(seconds=min(seconds, settings.alert_retry_max_seconds))


class Pacer:
    """Spaces one worker's sends so no channel goes past its configured rate."""

    def __init__(self, settings: Settings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.sleep = sleep
        self.next_at: dict[ChannelKind, float] = {}

    def wait(self, channel: ChannelKind) -> None:
        rate = rate_of(channel, self.settings)
        if rate is None:
            return
        now = time.monotonic()
        at = self.next_at.get(channel, now)
        if at > now:
            self.sleep(at - now)
        self.next_at[channel] = max(at, now) + 1.0 / rate
