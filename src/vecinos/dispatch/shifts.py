"""Checking in, moving, checking out. A shift's location lives only while the shift lasts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vecinos.dispatch.models import ACTIVE_STATES, Offer, Shift, ShiftLocation
from vecinos.dispatch.ranking import RESPONDER_RESOLUTION
from vecinos.errors import Conflict, InvalidInput, NotFound
from vecinos.geo.cells import cell_of
from vecinos.i18n import N_, is_language
from vecinos.training.qualification import LEGAL_OBSERVER, qualifies

MAX_LANGUAGES = 12


@dataclass(frozen=True)
class Capabilities:
    """What a volunteer says of themselves at check-in. Being a legal observer is not among
    them: it comes from vetting and training records (`training.qualification`)."""

    has_car: bool = False
    languages: tuple[str, ...] = ()
    radio_channel: str | None = None


def clean_languages(languages: Sequence[str]) -> list[str]:
    cleaned = sorted({code.strip().lower() for code in languages if code.strip()})
    if len(cleaned) > MAX_LANGUAGES or not all(is_language(code) for code in cleaned):
        raise InvalidInput(
            N_("Give languages as codes such as es, en or zh, at most {max}."),
            params={"max": MAX_LANGUAGES},
            code="invalid_languages",
        )
    return cleaned


def open_shift_of(db: Session, member_id: int) -> Shift | None:
    query = select(Shift).where(Shift.member_id == member_id, Shift.ended_at.is_(None))
    return db.scalar(query)


def current_shift(db: Session, member_id: int) -> Shift:
    shift = open_shift_of(db, member_id)
    if shift is None:
        raise NotFound(N_("You are not checked in."), code="not_checked_in")
    return shift


def check_in(
    db: Session,
    member_id: int,
    organization_id: int,
    lat: float,
    lon: float,
    capabilities: Capabilities,
    *,
    now: datetime,
) -> Shift:
    if open_shift_of(db, member_id) is not None:
        raise Conflict(
            N_("You are already checked in; check out first."), code="already_checked_in"
        )
    shift = Shift(
        organization_id=organization_id,
        member_id=member_id,
        started_at=now,
        has_car=capabilities.has_car,
        legal_observer=qualifies(db, member_id, organization_id, LEGAL_OBSERVER, now),
        languages=clean_languages(capabilities.languages),
        radio_channel=(capabilities.radio_channel or "").strip() or None,
    )
    db.add(shift)
    db.flush()
    move(db, shift, lat, lon, now=now)
    return shift


def move(db: Session, shift: Shift, lat: float, lon: float, *, now: datetime) -> Shift:
    """Record where the responder is now (the history is kept only until check-out)."""
    shift.lat, shift.lon, shift.located_at = lat, lon, now
    shift.h3_cell = cell_of(lat, lon, RESPONDER_RESOLUTION)
    db.add(ShiftLocation(shift_id=shift.id, at=now, lat=lat, lon=lon))
    return shift


def refuse_if_busy(db: Session, shift: Shift) -> None:
    """A responder working an assignment files the finding before going off duty."""
    busy = select(Offer.id).where(
        Offer.member_id == shift.member_id,
        Offer.state.in_([s.value for s in ACTIVE_STATES]),
    )
    if db.scalar(busy.limit(1)) is not None:
        raise Conflict(
            N_("File your finding on the current assignment before checking out."),
            code="assignment_in_progress",
        )


def check_out(db: Session, shift: Shift, *, now: datetime) -> Shift:
    """End the shift and forget where the responder has been.

    The caller first hands the responder's pending offers back (`offers.release_member`), so
    the escalation of those incidents moves on without them.
    """
    refuse_if_busy(db, shift)
    shift.ended_at = now
    shift.lat = shift.lon = None
    shift.h3_cell = None
    shift.located_at = None
    db.execute(delete(ShiftLocation).where(ShiftLocation.shift_id == shift.id))
    return shift


def roster(db: Session, organization_id: int) -> Sequence[Shift]:
    """Open shifts of one organization (the caller has checked it is the asker's own)."""
    query = select(Shift).where(Shift.organization_id == organization_id, Shift.ended_at.is_(None))
    return db.scalars(query.order_by(Shift.started_at)).all()
