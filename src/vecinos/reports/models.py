"""One report of a sighting, as a resident or a hotline operator gave it.

What is *not* here is deliberate: no IP address, no raw device token or phone number (only a
daily-rotating keyed hash, for corroboration and rate limits), nothing about anyone's
immigration status, nothing identifying an officer. The callback contact is encrypted and
purged after the retention window.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime
from vecinos.vocabulary import Activity, Agency


class Source(StrEnum):
    WEB = "web"
    HOTLINE = "hotline"
    SMS = "sms"
    API = "api"


class LocationKind(StrEnum):
    PIN = "pin"
    CROSS_STREETS = "cross_streets"  # with a pin or a place to put them
    ZONE = "zone"
    LANDMARK = "landmark"
    ZIP = "zip"


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[Source] = mapped_column(String(16))
    # blind_index of the device token or phone number under a per-day purpose.
    source_hash: Mapped[str] = mapped_column(String(64), index=True)
    low_trust: Mapped[bool] = mapped_column(Boolean, default=False)
    # blind_index of the client's idempotency key: a retry finds the report it already made.
    idempotency_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # blind_index of what was sent with that key: a different report under a used key is
    # refused rather than answered with the first report's receipt.
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64))
    activity: Mapped[Activity] = mapped_column(String(32))
    agency: Mapped[Agency] = mapped_column(String(16))
    agents: Mapped[int | None] = mapped_column(Integer)
    vehicles: Mapped[int | None] = mapped_column(Integer)
    equipment: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # type + colour
    location_kind: Mapped[LocationKind] = mapped_column(String(16))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    cross_streets: Mapped[str | None] = mapped_column(String(200))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"))
    description: Mapped[str | None] = mapped_column(Text)
    contact_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    contact_purge_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class SpentChallenge(Base):
    """A proof-of-work challenge a public report has used: each buys one report. Kept until the
    challenge expires (after that its proof is refused anyway), then swept."""

    __tablename__ = "spent_challenges"

    challenge: Mapped[str] = mapped_column(String(128), primary_key=True)  # the ALTCHA hash
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
