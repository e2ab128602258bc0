"""What stands between a hijacked account and a whole list of subscribers: holds that stop
every outgoing delivery (a coordinator's halt, or the volume alarm), and second-person
approvals for the alerts that need them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class HoldReason(StrEnum):
    HALT = "halt"  # a coordinator (or `vecinos alerts halt`) stopped deliveries
    ALARM = "alarm"  # the volume alarm: too many alerts or recipients in a short time


class DeliveryHold(Base):
    """While one of these has no `ended_at`, the worker sends nothing (nothing is lost)."""

    __tablename__ = "delivery_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[HoldReason] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # None when the volume alarm or the command line started it.
    started_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(200))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"  # and published
    REFUSED = "refused"
    EXPIRED = "expired"  # nobody approved before the deadline


class AlertApproval(Base):
    """An alert a dispatcher asked to publish that a second staff member must approve."""

    __tablename__ = "alert_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    # The organization whose staff may approve (the incident's); None: any organization's.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    edits: Mapped[dict[str, Any]] = mapped_column(JSON)  # texts, short_texts, cross_streets
    recipients: Mapped[int] = mapped_column(Integer)  # counted when it was asked for
    reason: Mapped[str] = mapped_column(String(32))  # unconfirmed / recipients
    status: Mapped[ApprovalStatus] = mapped_column(String(16), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
