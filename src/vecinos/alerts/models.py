"""Subscribers (no account) and the H3 cells that find them.

A subscriber's contact (phone, e-mail, push subscription, webhook) is stored only encrypted,
next to a keyed blind index that finds a duplicate without the raw value. Nothing here records
who the subscriber is beyond what delivery needs: no name, no IP address, no account.
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class ChannelKind(StrEnum):
    SMS = "sms"
    WHATSAPP = "whatsapp"  # through the same provider as SMS, a channel of its own
    EMAIL = "email"
    PUSH = "push"
    WEBHOOK = "webhook"  # partner organizations only, registered by a coordinator
    LOG = "log"  # the demo's channel: writes the message to the log


# Channels that carry a phone number's texts: the same E.164 contact, the same plain text.
TEXT_CHANNELS = frozenset({ChannelKind.SMS, ChannelKind.WHATSAPP})


class SubscriptionStatus(StrEnum):
    PENDING = "pending"  # waiting for the opt-in code or link
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"  # by link, or STOP / ALTO
    DISABLED = "disabled"  # the channel said the contact is dead (permanent failure)


class AlertKind(StrEnum):
    CONFIRMED = "confirmed"  # only a confirmed incident alerts automatically
    UNCONFIRMED = "unconfirmed"  # a dispatcher's explicit choice, always labelled
    RUMOUR_CONTROL = "rumour_control"  # the incident was unfounded
    UPDATE = "update"
    ALL_CLEAR = "all_clear"  # the incident ended


class AreaKind(StrEnum):
    CIRCLE = "circle"
    ZONES = "zones"


RADII_M = (1000, 2000, 5000, 10000)  # the circles residents choose from
ACTIVE_ONLY = "status = 'active'"


class Subscription(Base):
    __tablename__ = "alert_subscriptions"
    __table_args__ = (
        # One *active* subscription per contact and channel: alerts go once. Pending requests
        # may wait beside it; confirming one ends the active one (subscriptions._activate).
        Index(
            "uq_alert_subscriptions_active_contact",
            "channel",
            "contact_index",
            unique=True,
            postgresql_where=text(ACTIVE_ONLY),
            sqlite_where=text(ACTIVE_ONLY),
        ),
        Index("ix_alert_subscriptions_contact", "channel", "contact_index"),
        # Covering: matching reads every column it needs from the index, in cell order, and
        # never the wide rows (ciphertext, hashes) scattered through the table.
        Index(
            "ix_alert_subscriptions_home",
            "home_cell",
            "radius_m",
            "lat",
            "lon",
            "status",
            "channel",
            "language",
            "wants_rumour_control",
            "wants_all_clear",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[ChannelKind] = mapped_column(String(16))
    status: Mapped[SubscriptionStatus] = mapped_column(String(16), index=True)
    language: Mapped[str] = mapped_column(String(35))  # a BCP 47 tag we may only partly cover
    # Sealed under a data key of the keyring (`contact_key`), re-sealed under the next one as
    # keys are renewed; None once the subscription has ended (unsubscribed, disabled).
    contact_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    contact_key: Mapped[str | None] = mapped_column(String(40), index=True)
    contact_index: Mapped[str] = mapped_column(String(64))  # blind index of the contact
    area_kind: Mapped[AreaKind] = mapped_column(String(8))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[int | None] = mapped_column(Integer)
    # A circle's centre as one H3 cell, at a resolution fitted to its radius (areas.home_cell):
    # one row per subscriber, found by the cells around an incident (the covering index below).
    home_cell: Mapped[str | None] = mapped_column(String(16))
    zone_ids: Mapped[list[int] | None] = mapped_column(JSON)
    wants_rumour_control: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_all_clear: Mapped[bool] = mapped_column(Boolean, default=False)
    # A partner organization's webhook belongs to it; residents' subscriptions belong to nobody.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    confirm_hash: Mapped[str | None] = mapped_column(String(64))
    confirm_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirm_attempts: Mapped[int] = mapped_column(Integer, default=0)
    handle_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the pending handle
    unsubscribe_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SubscriptionCell(Base):
    """One H3 cell a zone subscription's zones touch; the fan-out looks them up by cell."""

    __tablename__ = "alert_subscription_cells"

    # (cell, subscription) as the key: the lookup by cell is the primary-key index itself.
    cell: Mapped[str] = mapped_column(String(16), primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("alert_subscriptions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
