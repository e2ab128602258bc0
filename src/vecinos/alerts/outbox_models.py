"""Published alerts and the one outbox: a delivery row per message owed to a subscriber.

An alert keeps only what the public may see: the kind, the scrubbed texts per language and the
coarse place of the incident (the centre of a coarse H3 cell), never the exact position. A
delivery is the durable promise to send that alert to one subscriber; publishing writes the
alert and all its deliveries in one transaction, and the worker works them off. A subscriber's
opt-in code or link is a delivery too, with its own sealed text instead of an alert: one
outbox, one worker, one set of retries and rates.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.alerts.models import AlertKind, ChannelKind
from vecinos.db import Base, UTCDateTime


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # waiting for its turn (or its next attempt after a transient failure)
    SENT = "sent"  # the channel accepted it
    DELIVERED = "delivered"  # the provider reported it reached the phone (SMS status callback)
    FAILED = "failed"  # permanently, or out of attempts, or the alert expired first


QUEUED_ONLY = f"status = '{DeliveryStatus.QUEUED.value}'"


class Alert(Base):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AlertKind] = mapped_column(String(16))
    # {"en": "...", "es": "..."}: every text has passed the scrubber before it is stored.
    texts: Mapped[dict[str, str]] = mapped_column(JSON)
    # The short forms (≤ 90 characters): e-mail subject, push title, SMS where set short.
    subjects: Mapped[dict[str, str]] = mapped_column(JSON)
    # The named place: {"landmark", "zone", "zip_code", "city", "cross_streets"} (gazetteer
    # names; cross streets only when a dispatcher chose them). None on alerts made before.
    place: Mapped[dict[str, str | None] | None] = mapped_column(JSON)
    activity: Mapped[str] = mapped_column(String(32))
    # Coarse place only: the centre of the incident's public cell, as the public board shows it.
    public_cell: Mapped[str] = mapped_column(String(16))
    public_lat: Mapped[float] = mapped_column(Float)
    public_lon: Mapped[float] = mapped_column(Float)
    # None when the worker published it on its own (a confirmed incident nobody published).
    published_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Delivery(Base):
    __tablename__ = "alert_deliveries"
    # Exactly one delivery per recipient per alert, whatever retries or crashes happen.
    __table_args__ = (
        UniqueConstraint("alert_id", "subscription_id"),
        # The worker's question: which queued deliveries of a channel are due now, oldest
        # first? Only queued rows are in it, so it stays as small as the backlog, however
        # many deliveries history holds; queries must say `status = 'queued'` as a literal.
        Index(
            "ix_alert_deliveries_due",
            "channel",
            "next_attempt_at",
            "id",
            postgresql_where=text(QUEUED_ONLY),
            sqlite_where=text(QUEUED_ONLY),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a direct message (an opt-in code or link), whose text is `message_encrypted`.
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    # JSON {"subject", "text"}, sealed like contacts: an opt-in text carries its secret code.
    message_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Whom to: a subscriber, or (a direct message to someone who is not one: a texter's
    # status reply, a volunteer's reminder) a contact sealed on the row itself. Both are
    # erased from the row once the delivery is settled (`delivery.record`).
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_subscriptions.id", ondelete="CASCADE"), index=True
    )
    contact_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What it is for: "alert", "optin", or the purpose a direct message's sender names.
    purpose: Mapped[str] = mapped_column(String(24), default="alert")
    # A direct message not worth sending any more after this (an opt-in code that lapsed).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[ChannelKind] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(35))
    status: Mapped[DeliveryStatus] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A worker's claim: the token of the round that took it and when the claim lapses, so a
    # worker killed mid-send leaves the delivery to be taken again, never lost. Not indexed:
    # a round finds its rows by id, and an index here made PostgreSQL pick it over the
    # primary key for each outcome (thousands of rows share one token).
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sent with every attempt, so a provider that honours it sends a retried message once.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    provider_id: Mapped[str | None] = mapped_column(String(128), index=True)
    # A short error code only; a provider's message could echo the contact.
    last_error: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
