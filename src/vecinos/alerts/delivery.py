"""The outbox's rows: which deliveries are due, claiming them, sending one, recording outcomes.

The delivery engine (`sending.py`) drives these, channel by channel, many at a time:

1. `claim_ids` takes due deliveries of one channel in a short transaction: each gets the
   claim's token and a lease (`alert_claim_seconds`). On PostgreSQL the candidates are read
   `FOR UPDATE SKIP LOCKED`, so two workers never take the same rows; on both databases the
   claim is a conditional UPDATE that only takes rows still unclaimed.
2. `send_one` sends one claimed delivery through its channel, outside any transaction.
3. `record` writes outcomes in short transactions of their own, guarded by the claim token.

A worker killed between the two leaves claimed rows whose lease runs out: the next worker takes
them again, so nothing is lost. A worker killed mid-send loses at most the outcomes not yet
recorded; those are sent again with the same idempotency key, which a provider that honours
it uses to drop the duplicate. Exactly one delivery row per recipient exists throughout (a
unique constraint), and a sent one is never claimed again.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
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

from vecinos import keyring
from vecinos.alerts import contacts, outbox, outgoing, subscriptions
from vecinos.alerts.channels.base import Channel, OutboundMessage, SendError
from vecinos.alerts.models import ChannelKind, Subscription, SubscriptionStatus
from vecinos.alerts.optin import OPTIN_PURPOSE
from vecinos.alerts.outbox_models import Alert, Delivery, DeliveryStatus
from vecinos.config import Settings
from vecinos.db import bulk
from vecinos.db.claims import rowcount

log = logging.getLogger("vecinos.alerts.delivery")


@dataclass
class Outcome:
    delivery_id: int
    subscription_id: int | None
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


def rate_of(channel: ChannelKind, settings: Settings) -> float | None:
    rates = {
        ChannelKind.SMS: settings.alert_sms_per_second,
        ChannelKind.WHATSAPP: settings.alert_whatsapp_per_second,
        ChannelKind.EMAIL: settings.alert_email_per_second,
        ChannelKind.PUSH: settings.alert_push_per_second,
        ChannelKind.WEBHOOK: settings.alert_webhook_per_second,
    }
    return rates.get(channel)  # the log channel has no provider to protect


def candidates(
    channel: ChannelKind, now: datetime, limit: int, sending: Collection[int] = ()
) -> Select[int]:
    """The oldest due deliveries of a channel: the partial due index answers it, in order."""
    query = (
        select(Delivery.id)
        .where(Delivery.channel == channel.value, due(now))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    return query.where(Delivery.id.not_in(sending)) if sending else query


def claim_ids(
    db: Session,
    channel: ChannelKind,
    token: str,
    now: datetime,
    settings: Settings,
    *,
    limit: int,
    sending: Collection[int] = (),
) -> list[int]:
    """Take up to `limit` of `channel`'s due deliveries; returns the ids won. `sending`: what
    the caller has on the wire already, never taken twice even if its lease ran out."""
    if limit <= 0:
        return []
    query = candidates(channel, now, limit, sending)
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


def expire_stale(db: Session, now: datetime, _settings: Settings) -> int:
    """A worker job: what expired before it could go is failed, never sent late: deliveries
    of expired alerts, and direct messages past their own expiry, whose contact and text are
    erased with them (a message no channel ever took must not keep a reporter's number)."""
    expired = select(Alert.id).where(Alert.expires_at <= now)
    failed = {"status": DeliveryStatus.FAILED.value, "last_error": "expired", "finished_at": now}
    alerts = rowcount(
        db,
        update(Delivery)
        .where(Delivery.alert_id.in_(expired), due(now))
        .values(**failed)
        .execution_options(synchronize_session=False),
    )
    direct = rowcount(
        db,
        update(Delivery)
        .where(
            Delivery.alert_id.is_(None),
            Delivery.status == DeliveryStatus.QUEUED.value,
            Delivery.expires_at <= now,
            or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= now),
        )
        .values(**failed, **ERASED)
        .execution_options(synchronize_session=False),
    )
    return alerts + direct


# ---- sending one, recording outcomes ---------------------------------------------------


class Claimed(NamedTuple):
    """One claimed delivery as plain values: what sending it needs, and nothing more."""

    id: int
    alert_id: int | None  # None: a direct message (outbox.queue_direct)
    message_encrypted: bytes | None
    purpose: str
    expires_at: datetime | None
    subscription_id: int | None  # None: a direct message to someone who is not a subscriber
    channel: str
    language: str
    attempts: int
    idempotency_key: str
    subscription_status: str | None
    contact_encrypted: bytes | None  # the subscriber's, else the one sealed on the delivery


def claimed_rows(db: Session, ids: Sequence[int], token: str) -> list[Claimed]:
    """What sending the claimed deliveries needs. Plain columns, not ORM objects; by id (the
    primary key), still held by the claim's token, not yet recorded."""
    if not ids:
        return []
    query = (
        select(
            Delivery.id,
            Delivery.alert_id,
            Delivery.message_encrypted,
            Delivery.purpose,
            Delivery.expires_at,
            Delivery.subscription_id,
            Delivery.channel,
            Delivery.language,
            Delivery.attempts,
            Delivery.idempotency_key,
            Subscription.status,
            func.coalesce(Subscription.contact_encrypted, Delivery.contact_encrypted),
        )
        .outerjoin(Subscription, Subscription.id == Delivery.subscription_id)
        .where(
            bulk.among(db, Delivery.id, ids),
            Delivery.claim_token == token,
            Delivery.status == DeliveryStatus.QUEUED.value,
        )
        .order_by(Delivery.id)
    )
    return [Claimed._make(row) for row in db.execute(query)]


async def send_one(
    channel: Channel, row: Claimed, messages: outgoing.Messages, settings: Settings, now: datetime
) -> Outcome:
    outcome = Outcome(row.id, row.subscription_id, row.attempts)
    if refusal := _refusal(row, now):
        outcome.error, outcome.permanent = refusal, True
        return outcome
    assert row.contact_encrypted is not None  # a subscriber's, or sealed on the delivery
    try:
        message = _message(row, messages, settings)
    except keyring.KeyDestroyed:  # its period ended and the key with it: nobody to send to
        outcome.error, outcome.permanent = "contact_erased", True
        return outcome
    try:
        result = await channel.send(message)
    except SendError as exc:
        outcome.error = exc.code or type(exc).__name__
        # A permanent error is about the contact (a dead number, a dropped push subscription).
        outcome.permanent = exc.permanent
        outcome.disable = exc.permanent and row.subscription_id is not None
    except Exception as exc:  # a bug in an adapter must not stop the round: retry later
        log.exception("delivery %s: unexpected error", row.id)
        outcome.error = type(exc).__name__
    else:
        outcome.provider_id = result.provider_id
        outcome.delivered = result.status == DeliveryStatus.DELIVERED.value
    return outcome


def _refusal(row: Claimed, now: datetime) -> str | None:
    """Why this delivery must not go at all, if it must not (a permanent failure)."""
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"  # an opt-in code that lapsed, a reminder for a shift that began
    if row.subscription_id is None:
        return None
    # Alerts go to active subscribers; an opt-in only while its subscription waits for it.
    wanted = (
        SubscriptionStatus.PENDING if row.purpose == OPTIN_PURPOSE else SubscriptionStatus.ACTIVE
    )
    return None if row.subscription_status == wanted else "not_subscribed"


def _message(row: Claimed, messages: outgoing.Messages, settings: Settings) -> OutboundMessage:
    assert row.contact_encrypted is not None
    contact = contacts.opened(row.contact_encrypted, settings)
    if row.alert_id is not None:
        return messages.to(row.alert_id, row.language, contact, row.idempotency_key, row.channel)
    assert row.message_encrypted is not None  # a direct message carries its own text
    text = outbox.open_message(row.message_encrypted, settings)
    return OutboundMessage(
        to=contact,
        text=text.text,
        subject=text.subject,
        language=row.language,
        idempotency_key=row.idempotency_key,
        data={"purpose": row.purpose},
    )


def record(
    db: Session, outcomes: Sequence[Outcome], *, token: str, now: datetime, settings: Settings
) -> None:
    """Write one claim's outcomes in the caller's transaction, one UPDATE per kind of outcome.

    The claim token is part of the WHERE: a row whose lease ran out and that another worker
    took since is left to that worker.
    """
    groups: dict[tuple[str, ...], list[tuple[object, ...]]] = {}
    for outcome in outcomes:
        values = _values(outcome, now, settings)
        keys = tuple(sorted(values))
        groups.setdefault(keys, []).append((outcome.delivery_id, *(values[k] for k in keys)))
    table = cast(Table, Delivery.__table__)
    released = {"claim_token": None, "claimed_until": None}
    mine = {"claim_token": token}
    for keys, rows in groups.items():
        bulk.update_by_id(db, table, keys, rows, also=released, guard=mine)
    for outcome in outcomes:
        if outcome.disable and outcome.subscription_id is not None:
            subscriptions.disable(db, outcome.subscription_id, now=now)


# What a settled delivery no longer needs: a direct message's contact and text.
ERASED = {"contact_encrypted": None, "message_encrypted": None}


def _values(outcome: Outcome, now: datetime, settings: Settings) -> dict[str, object]:
    if outcome.error is None:
        status = DeliveryStatus.DELIVERED if outcome.delivered else DeliveryStatus.SENT
        done: dict[str, object] = {
            "status": status.value,
            "provider_id": outcome.provider_id,
            "sent_at": now,
            **ERASED,
        }
        return {**done, "finished_at": now} if outcome.delivered else done
    failed = {"status": DeliveryStatus.FAILED.value, "finished_at": now, **ERASED}
    if outcome.permanent or outcome.attempts >= settings.alert_max_attempts:
        return {**failed, "last_error": outcome.error[:120]}
    return {"last_error": outcome.error[:120], "next_attempt_at": now + backoff(outcome, settings)}


def backoff(outcome: Outcome, settings: Settings) -> timedelta:
    """15 s, 30 s, 1 min, 2 min … capped: a provider that is down is not hammered."""
    seconds = settings.alert_retry_base_seconds * 2 ** max(0, outcome.attempts - 1)
    return timedelta(seconds=min(seconds, settings.alert_retry_max_seconds))
