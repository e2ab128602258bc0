"""A responder's structured observer report: SALUTE as observed, the warrant, the people taken.

What is *not* here is deliberate: nothing about an officer's identity, badge or licence plate,
nothing about anyone's immigration status. Agencies are recorded as *marked* on uniforms or
vehicles, vehicles by type and colour only.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class Warrant(StrEnum):
    """Whether a warrant was shown, and which kind, as the observer could tell."""

    JUDICIAL = "judicial"  # signed by a judge, naming a court
    ADMINISTRATIVE = "administrative"  # signed by an immigration officer (e.g. forms I-200/I-205)
    NONE = "none"
    UNKNOWN = "unknown"


class Equipment(StrEnum):
    """Equipment seen on scene; nothing that tells one officer from another."""

    BODY_ARMOUR = "body_armour"
    FACE_COVERINGS = "face_coverings"
    FIREARMS_VISIBLE = "firearms_visible"
    LONG_GUNS = "long_guns"
    BODY_CAMERAS = "body_cameras"
    RESTRAINTS = "restraints"
    FORCED_ENTRY_TOOLS = "forced_entry_tools"
    OTHER = "other"


class Need(StrEnum):
    """What the family or witnesses asked for."""

    LEGAL_HELP = "legal_help"
    BOND_SUPPORT = "bond_support"
    CHILDCARE = "childcare"
    FOOD_OR_HOUSING = "food_or_housing"
    INTERPRETER = "interpreter"
    EMOTIONAL_SUPPORT = "emotional_support"
    OTHER = "other"


class ObserverReport(Base):
    """One per assignment, filed with its finding; the same facts go on the timeline."""

    __tablename__ = "dispatch_observer_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("dispatch_offers.id", ondelete="CASCADE"), unique=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    agents: Mapped[int | None] = mapped_column(Integer)
    vehicles: Mapped[int | None] = mapped_column(Integer)
    activity: Mapped[str | None] = mapped_column(String(32))
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)  # as marked
    equipment: Mapped[list[str]] = mapped_column(JSON, default=list)
    vehicles_seen: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # type+colour
    warrant: Mapped[Warrant] = mapped_column(String(16))
    detained: Mapped[int | None] = mapped_column(Integer)
    agents_arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agents_left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs_note: Mapped[str | None] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
