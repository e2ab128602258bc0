"""Shifts, verification requests and the offers made to responders.

Privacy by construction: a shift's location (and its history) exists only while the shift is
open; check-out deletes it. Nothing here records anything about officers, and offers keep no
distance or position of the responder, so nothing about where volunteers were outlives a shift.
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
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class Shift(Base):
    """A responder on duty for one organization, with what they can do and where they are."""

    __tablename__ = "dispatch_shifts"
    __table_args__ = (
        # One open shift per person: a volunteer is on duty for one organization at a time.
        Index(
            "uq_dispatch_shifts_open_member",
            "member_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        # Ranking asks "this organization, these cells": with one index on both, SQLite's
        # planner (which has no statistics unless ANALYZE ran) cannot pick the organization
        # alone and scan every shift of a large organization.
        Index("ix_dispatch_shifts_organization_cell", "organization_id", "h3_cell"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    has_car: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_observer: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    radio_channel: Mapped[str | None] = mapped_column(String(40))
    # Current position; all four are cleared at check-out.
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    h3_cell: Mapped[str | None] = mapped_column(String(16), index=True)
    located_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ShiftLocation(Base):
    """One position reported during a shift; every row of a shift is deleted at check-out."""

    __tablename__ = "dispatch_shift_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(
        ForeignKey("dispatch_shifts.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class RequestState(StrEnum):
    OPEN = "open"  # offers out, waiting for enough acceptances
    STAFFED = "staffed"  # enough responders accepted
    EXHAUSTED = "exhausted"  # nobody left to ask, even in partner organizations
    CANCELLED = "cancelled"  # by a dispatcher
    CLOSED = "closed"  # the incident settled before anyone was needed


class Stage(StrEnum):
    """Escalation ladder: own organization near, own organization wider, then partners."""

    NEAR = "near"
    WIDER = "wider"
    PARTNERS = "partners"


class DispatchRequest(Base):
    """A dispatcher asked for an incident to be verified; the worker escalates it on time."""

    __tablename__ = "dispatch_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[RequestState] = mapped_column(String(16), index=True)
    stage: Mapped[Stage] = mapped_column(String(16))
    round: Mapped[int] = mapped_column(Integer, default=1)  # bumped by each escalation (claim)
    radius_m: Mapped[int] = mapped_column(Integer)
    needed: Mapped[int] = mapped_column(Integer, default=1)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    wants_legal_observer: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_car: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_language: Mapped[str | None] = mapped_column(String(16))
    # When the current round of offers runs out: the durable timer the worker polls.
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class OfferState(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # nobody answered in time
    WITHDRAWN = "withdrawn"  # others staffed it, or the dispatcher cancelled
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    REPORTED = "reported"  # a finding was filed


# An offer in one of these states keeps its responder busy.
PENDING_STATES = frozenset({OfferState.OFFERED})
ACTIVE_STATES = frozenset({OfferState.ACCEPTED, OfferState.EN_ROUTE, OfferState.ON_SCENE})


class Finding(StrEnum):
    CONFIRMED = "confirmed"
    NOT_FOUND = "not_found"
    DIFFERENT_ACTIVITY = "different_activity"


class Offer(Base):
    """One responder asked to verify one incident, and what became of it."""

    __tablename__ = "dispatch_offers"
    __table_args__ = (UniqueConstraint("request_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("dispatch_requests.id", ondelete="CASCADE"), index=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("dispatch_shifts.id", ondelete="SET NULL")
    )
    round: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer)
    state: Mapped[OfferState] = mapped_column(String(16), index=True)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finding: Mapped[Finding | None] = mapped_column(String(24))
    finding_note: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
