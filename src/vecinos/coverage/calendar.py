"""What people see of the schedules: the coverage calendar of an organization (each slot's
staffing and who is on it), a volunteer's own places, and the open slots they could fill."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Member
from vecinos.coverage.models import Schedule, Signup, Site, Slot
from vecinos.coverage.schedules import requirement_of
from vecinos.geo.models import Landmark, Zone
from vecinos.training.qualification import qualifies


@dataclass(frozen=True)
class SlotView:
    slot: Slot
    schedule: Schedule
    place: str | None  # the zone's or the site's name; None for the whole organization
    volunteers: list[tuple[int, str]]  # (member id, display name), in sign-up order
    mine: Signup | None = None

    @property
    def short_by(self) -> int:
        return 0 if self.slot.cancelled_at else max(0, self.slot.needed - self.slot.filled)


def place_names(db: Session, schedules: Sequence[Schedule]) -> dict[int, str | None]:
    zone_ids = {s.zone_id for s in schedules if s.zone_id}
    site_ids = {s.site_id for s in schedules if s.site_id}
    zones = dict(db.execute(select(Zone.id, Zone.name).where(Zone.id.in_(zone_ids))).all())
    sites = dict(
        db.execute(
            select(Site.id, Landmark.name)
            .join(Landmark, Landmark.id == Site.landmark_id)
            .where(Site.id.in_(site_ids))
        ).all()
    )
    return {s.id: zones.get(s.zone_id or 0) or sites.get(s.site_id or 0) for s in schedules}


def _views(db: Session, slots: Sequence[Slot], member_id: int | None = None) -> list[SlotView]:
    schedule_ids = {s.schedule_id for s in slots}
    schedules = {s.id: s for s in db.scalars(select(Schedule).where(Schedule.id.in_(schedule_ids)))}
    places = place_names(db, list(schedules.values()))
    people: dict[int, list[tuple[int, str]]] = defaultdict(list)
    mine: dict[int, Signup] = {}
    rows = db.execute(
        select(Signup, Member.display_name)
        .join(Member, Member.id == Signup.member_id)
        .where(Signup.slot_id.in_([s.id for s in slots]))
        .order_by(Signup.signed_up_at, Signup.id)
    )
    for signup, name in rows:
        people[signup.slot_id].append((signup.member_id, name))
        if signup.member_id == member_id:
            mine[signup.slot_id] = signup
    return [
        SlotView(s, schedules[s.schedule_id], places[s.schedule_id], people[s.id], mine.get(s.id))
        for s in slots
    ]


def calendar(
    db: Session, organization_id: int, start: datetime, end: datetime, member_id: int | None = None
) -> list[SlotView]:
    """Every slot of the organization starting in [start, end), in time order."""
    slots = db.scalars(
        select(Slot)
        .where(
            Slot.organization_id == organization_id,
            Slot.starts_at >= start,
            Slot.starts_at < end,
        )
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    return _views(db, slots, member_id)


def my_places(db: Session, member_id: int, now: datetime) -> list[SlotView]:
    """A volunteer's sign-ups that have not ended, soonest first."""
    slots = db.scalars(
        select(Slot)
        .join(Signup, Signup.slot_id == Slot.id)
        .where(Signup.member_id == member_id, Signup.ends_at > now)
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    return _views(db, slots, member_id)


def fillable(
    db: Session, member_id: int, organization_ids: Sequence[int], now: datetime, until: datetime
) -> list[SlotView]:
    """Short slots of these organizations the volunteer qualifies for and is not on."""
    short = db.scalars(
        select(Slot)
        .where(
            Slot.organization_id.in_(organization_ids),
            Slot.ends_at > now,
            Slot.starts_at < until,
            Slot.filled < Slot.needed,
            Slot.cancelled_at.is_(None),
        )
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    views = [v for v in _views(db, short, member_id) if v.mine is None]
    return [v for v in views if _qualifies(db, member_id, v, now)]


def _qualifies(db: Session, member_id: int, view: SlotView, now: datetime) -> bool:
    moment = max(now, view.slot.starts_at)
    requirement = requirement_of(view.schedule)
    return qualifies(db, member_id, view.slot.organization_id, requirement, moment)
