"""Sending the opt-in codes and links that subscribe requests wrote (`OptInMessage`).

Each message is claimed by a conditional UPDATE (its `sent_at` goes from NULL to now; the row
count says who won), so any number of workers may run this side by side. The send happens
between two short transactions, never inside one: no lock is held while a provider answers.
A transient failure puts the message back for the next round; a permanent one (the number or
mailbox does not exist) deletes the pending subscription, whose contact is then useless.

Opt-ins are at most once by design: a worker killed between claim and send loses that code,
and the resident asks for a new one when the first has lapsed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, Engine, Select, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from vecinos.alerts import contacts, optin
from vecinos.alerts.channels import channels_for
from vecinos.alerts.channels.base import Channel, OutboundMessage, SendError
from vecinos.alerts.models import ChannelKind, OptInMessage, Subscription, SubscriptionStatus
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import make_session_factory, transaction

log = logging.getLogger("vecinos.alerts.optin")
SUBSCRIBER_PURPOSE = "subscriber"


def send_pending(
    sessions: sessionmaker[Session],
    channels: Mapping[ChannelKind, Channel],
    *,
    now: datetime,
    settings: Settings,
    limit: int = 50,
) -> int:
    """Send up to `limit` waiting opt-in messages; returns how many went out."""
    sealer = Encryptor(settings.secret, SUBSCRIBER_PURPOSE, settings.old_secrets)
    with transaction(sessions) as db:
        waiting = list(db.scalars(_waiting(now).limit(limit)))
    sent = 0
    for message_id in waiting:
        claimed = _claim(sessions, message_id, now, sealer, settings)
        if claimed is not None:
            sent += _send(sessions, channels, message_id, claimed)
    return sent


def _waiting(now: datetime) -> Select[int]:
    # Only for subscriptions still pending and in time: a lapsed code is not worth sending.
    return (
        select(OptInMessage.id)
        .join(Subscription, Subscription.id == OptInMessage.subscription_id)
        .where(
            OptInMessage.sent_at.is_(None),
            Subscription.status == SubscriptionStatus.PENDING,
            Subscription.confirm_expires_at > now,
        )
        .order_by(OptInMessage.id)
    )


def _claim(
    sessions: sessionmaker[Session],
    message_id: int,
    now: datetime,
    sealer: Encryptor,
    settings: Settings,
) -> tuple[ChannelKind, OutboundMessage] | None:
    with transaction(sessions) as db:
        won = db.execute(
            update(OptInMessage)
            .where(OptInMessage.id == message_id, OptInMessage.sent_at.is_(None))
            .values(sent_at=now)
        )
        if getattr(won, "rowcount", 0) != 1:
            return None  # another worker took it
        row = db.get(OptInMessage, message_id)
        assert row is not None
        subscription = db.get(Subscription, row.subscription_id)
        assert subscription is not None
        text = optin.open_message(row, sealer)
        if subscription.contact_encrypted is None:
            return None  # ended meanwhile
        outbound = OutboundMessage(
            to=contacts.opened(subscription.contact_encrypted, settings),
            text=text.text,
            subject=text.subject,
            language=subscription.language,
            idempotency_key=f"optin-{message_id}",
        )
        return ChannelKind(subscription.channel), outbound


def _send(
    sessions: sessionmaker[Session],
    channels: Mapping[ChannelKind, Channel],
    message_id: int,
    claimed: tuple[ChannelKind, OutboundMessage],
) -> int:
    kind, outbound = claimed
    channel = channels.get(kind)
    try:
        if channel is None:
            raise SendError(f"the {kind} channel is not configured", permanent=False)
        channel.send(outbound)
    except SendError as exc:
        log.warning("opt-in %s via %s failed (%s): %s", message_id, kind, exc.code, exc)
        with transaction(sessions) as db:
            _after_failure(db, message_id, permanent=exc.permanent)
        return 0
    return 1


def _after_failure(db: Session, message_id: int, *, permanent: bool) -> None:
    row = db.get(OptInMessage, message_id)
    if row is None:
        return
    if permanent:
        subscription = db.get(Subscription, row.subscription_id)
        if subscription is not None:
            db.delete(subscription)  # its messages and cells go with it (ON DELETE CASCADE)
        return
    row.sent_at = None  # the next round tries again, while the code is still valid


def send_opt_ins(db: Session, now: datetime, settings: Settings) -> int:
    """Send what is waiting, in short transactions of its own on `db`'s engine; `db` itself
    stays unused, so it must not hold a transaction (SQLite has one writer)."""
    sessions = make_session_factory(_engine_of(db))
    with transaction(sessions) as reader:
        if reader.scalars(_waiting(now).limit(1)).first() is None:
            # Most rounds: nothing to send, so no channels to build. Building them makes an
            # HTTP client and its TLS context, which cost the in-process worker most of a round.
            return 0
    channels = channels_for(settings, FrozenClock(now))
    return send_pending(sessions, channels, now=now, settings=settings)


def send_opt_ins_after_commit(db: Session, now: datetime, settings: Settings) -> int:
    """The worker job. The worker's transaction has claimed this job, which on SQLite holds
    the one write lock; sending inside it would wait on ourselves. So the sends start the
    moment that transaction commits (like the alert outbox's rounds)."""
    engine = _engine_of(db)

    def send_after(_session: Session) -> None:
        send_opt_ins(Session(engine), now, settings)

    event.listen(db, "after_commit", send_after, once=True)
    return 0


def _engine_of(db: Session) -> Engine:
    bind = db.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    assert isinstance(engine, Engine)
    return engine
