"""An incident gathers the reports of one event; its timeline records everything done about it.

The timeline is append-only and hash-chained: each event stores the SHA-256 of its own canonical
content plus the previous event's hash, so editing or deleting an event shows up in
`vecinos incidents verify-chain`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class IncidentState(StrEnum):
    REPORTED = "reported"
    VERIFYING = "verifying"
    CONFIRMED = "confirmed"
    UNFOUNDED = "unfounded"
    ENDED = "ended"
    EXPIRED = "expired"


# States a new report may still join; the others are settled.
OPEN_STATES = frozenset({IncidentState.REPORTED, IncidentState.VERIFYING, IncidentState.CONFIRMED})


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The organization whose zone contains the incident; None means every dispatcher sees it.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[IncidentState] = mapped_column(String(16), index=True)
    # Exact position of the first report: internal only, never shown to the public.
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    h3_cell: Mapped[str] = mapped_column(String(16), index=True)  # clustering resolution
    # What the public may see: the centre of a coarse cell, or cross streets.
    public_cell: Mapped[str] = mapped_column(String(16))
    public_lat: Mapped[float] = mapped_column(Float)
    public_lon: Mapped[float] = mapped_column(Float)
    cross_streets: Mapped[str | None] = mapped_column(String(200))
    activity: Mapped[str] = mapped_column(String(32))  # of the first report
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    source_count: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)  # latest observation joined
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # confirmed or unfounded, kept after the incident has ended (lower trust for its sources).
    verdict: Mapped[str | None] = mapped_column(String(16))


class TimelineEvent(Base):
    __tablename__ = "timeline_events"
    __table_args__ = (UniqueConstraint("incident_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … within the incident
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # No ON DELETE SET NULL: changing a recorded actor would break the chain.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
