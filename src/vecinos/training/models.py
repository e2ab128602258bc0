"""Courses, completion records and vetting levels, per organization.

A record belongs to the course's organization and to a member of it; it carries who vouched
for it and, when the course must be renewed, when it stops counting. Nothing here records
anything about a member beyond what deciding who may be sent where needs.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class VettingLevel(StrEnum):
    NEW = "new"
    VETTED = "vetted"
    TRUSTED = "trusted"


LEVEL_RANK = {VettingLevel.NEW: 0, VettingLevel.VETTED: 1, VettingLevel.TRUSTED: 2}


class Duty(StrEnum):
    """Work that asks for training: a course says which of these it prepares for."""

    LEGAL_OBSERVER = "legal_observer"  # arrests in progress and legal-observer requests
    ACCOMPANIMENT = "accompaniment"  # to a hearing or an immigration check-in
    SITE_WATCH = "site_watch"  # a fixed post at a school, court, church, clinic or corner
    HOTLINE = "hotline"  # answering the hotline: a shift with this duty decides who rings


class Course(Base):
    __tablename__ = "training_courses"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    # None: completing it once is enough; otherwise a record counts this many days.
    valid_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CourseDuty(Base):
    """A duty this course prepares for (a course may prepare for several)."""

    __tablename__ = "training_course_duties"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), primary_key=True
    )
    duty: Mapped[Duty] = mapped_column(String(32), primary_key=True, index=True)


class TrainingRecord(Base):
    """A member completed a course; renewing it updates the same record."""

    __tablename__ = "training_records"
    __table_args__ = (UniqueConstraint("course_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The trainer or member who vouches the course was completed (a member of the organization).
    vouched_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Vetting(Base):
    """How far the organization trusts a member; no row means new."""

    __tablename__ = "training_vetting"
    __table_args__ = (UniqueConstraint("organization_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    level: Mapped[VettingLevel] = mapped_column(String(16))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
