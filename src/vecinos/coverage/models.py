"""Sites, schedules, slots and sign-ups; members' own contacts for reminders; accompaniment.

Schedules and rosters belong to one organization and are shown only inside it. A slot is one
occurrence of a schedule, made ahead of time so a sign-up can be counted with one conditional
UPDATE (`filled < needed`) that two people racing for the last place cannot both pass.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class SiteKind(StrEnum):
    SCHOOL = "school"
    COURT = "court"
    CHURCH = "church"
    CLINIC = "clinic"
    DAY_LABOR_CORNER = "day_labor_corner"
    IMMIGRATION_OFFICE = "immigration_office"  # where check-ins happen
    OTHER = "other"


class Site(Base):
    """A fixed post: a landmark of the gazetteer (its name and point) watched on a schedule."""

    __tablename__ = "coverage_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    landmark_id: Mapped[int] = mapped_column(
        ForeignKey("landmarks.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[SiteKind] = mapped_column(String(24))
    # Residents who subscribe to the site hear of incidents within this radius of it.
    radius_m: Mapped[int] = mapped_column(Integer, default=1000)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Schedule(Base):
    """A recurring shift: local start time and length, which days, how many people."""

    __tablename__ = "coverage_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"))
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("coverage_sites.id", ondelete="CASCADE"), index=True
    )
    timezone: Mapped[str] = mapped_column(String(64))
    rrule: Mapped[str] = mapped_column(String(200))  # RFC 5545, DAILY or WEEKLY with BYDAY
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)  # local wall-clock time
    duration_minutes: Mapped[int] = mapped_column(Integer)
    needed: Mapped[int] = mapped_column(Integer)
    # What a volunteer needs to sign up (training.qualification.Requirement).
    duty: Mapped[str | None] = mapped_column(String(32))
    min_level: Mapped[str] = mapped_column(String(16), default="new")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Slots exist up to here; the worker moves it forward day by day.
    made_until: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Slot(Base):
    __tablename__ = "coverage_slots"
    __table_args__ = (UniqueConstraint("schedule_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("coverage_schedules.id", ondelete="CASCADE")
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    needed: Mapped[int] = mapped_column(Integer)
    filled: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Signup(Base):
    """One volunteer on one slot, and which reminders they have had (each exactly once)."""

    __tablename__ = "coverage_signups"
    __table_args__ = (UniqueConstraint("slot_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("coverage_slots.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # Copied from the slot: the overlap check and the reminder jobs read them without a join.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    day_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hour_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SwapState(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class Swap(Base):
    """A volunteer hands their place to another, or trades it for one of theirs."""

    __tablename__ = "coverage_swaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    signup_id: Mapped[int] = mapped_column(ForeignKey("coverage_signups.id", ondelete="CASCADE"))
    from_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    to_member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    # The other volunteer's place the proposer takes in exchange; None for a plain hand-over.
    exchange_signup_id: Mapped[int | None] = mapped_column(
        ForeignKey("coverage_signups.id", ondelete="CASCADE")
    )
    state: Mapped[SwapState] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ShortNotice(Base):
    """A volunteer was told a slot they could fill is short: once per slot and person."""

    __tablename__ = "coverage_short_notices"

    slot_id: Mapped[int] = mapped_column(
        ForeignKey("coverage_slots.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MemberContact(Base):
    """Where a member wants their reminders: a channel they chose, the contact sealed."""

    __tablename__ = "coverage_member_contacts"
    __table_args__ = (UniqueConstraint("member_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    # Sealed under a member-contact data key of the keyring (`contact_key`; NULL: sealed
    # before the keyring, moved by the rotation job), re-sealed under the next as keys renew.
    contact_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    contact_key: Mapped[str | None] = mapped_column(String(40), index=True)
    language: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MemberPreferences(Base):
    """What a volunteer tells the schedulers: languages spoken, whether to hear of short slots."""

    __tablename__ = "coverage_member_preferences"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    wants_short_notices: Mapped[bool] = mapped_column(Boolean, default=True)


class AccompanimentKind(StrEnum):
    HEARING = "hearing"
    CHECK_IN = "check_in"
    OTHER = "other"


class AccompanimentState(StrEnum):
    OPEN = "open"
    STAFFED = "staffed"
    CANCELLED = "cancelled"


class Accompaniment(Base):
    """Someone asks to be accompanied to a hearing or a check-in. No immigration status is
    asked or kept; the requester's contact and note are sealed; the row goes after the date
    plus the retention window."""

    __tablename__ = "coverage_accompaniments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AccompanimentKind] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A place of the gazetteer (a court is a landmark): its name and point, never a home.
    place_name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column()
    lon: Mapped[float] = mapped_column()
    language: Mapped[str] = mapped_column(String(16))
    needed: Mapped[int] = mapped_column(Integer, default=1)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[AccompanimentState] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    contact_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    note_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )  # staff who asked on the resident's behalf; None when the resident asked
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    purge_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AccompanimentOffer(Base):
    __tablename__ = "coverage_accompaniment_offers"
    __table_args__ = (
        UniqueConstraint("accompaniment_id", "member_id"),
        Index("ix_coverage_accompaniment_offers_member_state", "member_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    accompaniment_id: Mapped[int] = mapped_column(
        ForeignKey("coverage_accompaniments.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))  # dispatch.models.OfferState values
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Broadcast(Base):
    """A coordinator's or dispatcher's short message to everyone on shift in a zone, or signed
    up for a site: kept with its count, its text visible inside the organization only."""

    __tablename__ = "coverage_broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"))
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("coverage_sites.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
