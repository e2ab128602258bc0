"""A follow-up case: one person taken at an incident, carried to legal support.

The minimum a lawyer needs and nothing more. How the person wishes to be named, the family's
contact, next steps and notes are encrypted together at rest (`private_ciphertext`); what is
left in the clear is structured: where they are held (a key of the maintained list, or a
facility's name), who the case was referred to, its status and dates. There is no field for
immigration status or criminal history, and none may be added. Closed cases are purged
after `VECINOS_CASE_RETENTION_DAYS`, unless their incident is under a legal hold.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class CaseStatus(StrEnum):
    OPEN = "open"  # just opened: locate the person, call the family
    REFERRED = "referred"  # handed to a legal partner or bond fund
    RELEASED = "released"
    TRANSFERRED = "transferred"  # moved to a facility further away
    CLOSED = "closed"  # nothing left to do: purged after the retention window


class FollowUpCase(Base):
    __tablename__ = "followup_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # The incident of the arrest; the case outlives it (its date and place are copied).
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    arrested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200))
    # Fernet token of {"name", "family_contact", "next_steps", "notes"}.
    private_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    facility_key: Mapped[str | None] = mapped_column(String(64))
    facility_other: Mapped[str | None] = mapped_column(String(200))
    referral_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[CaseStatus] = mapped_column(String(16), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purge_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
