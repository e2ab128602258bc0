"""Recurring schedules and the slots they make ahead of time.

A schedule's slots are made up to the horizon (`coverage_horizon_days`) when it is created,
and the worker moves every schedule's horizon forward as days pass. Making a slot twice is
harmless: (schedule, start) is unique and the maker starts after the last one it made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.coverage import recurrence
from vecinos.coverage.models import Schedule, Site, Slot
from vecinos.errors import InvalidInput, NotFound
from vecinos.geo.models import Zone
from vecinos.i18n import N_
from vecinos.training.models import Duty, VettingLevel
from vecinos.training.qualification import Requirement

TITLE_MAX = 120
MAX_NEEDED = 50
MAX_MINUTES = 24 * 60


@dataclass(frozen=True)
class ScheduleFields:
    title: str
    starts_on: date
    start_time: time
    duration_minutes: int
    needed: int
    weekdays: tuple[str, ...] = ()
    every_weeks: int = 1
    ends_on: date | None = None
    zone_id: int | None = None
    site_id: int | None = None
    timezone: str | None = None
    duty: Duty | None = None
    min_level: VettingLevel = VettingLevel.NEW


def requirement_of(schedule: Schedule) -> Requirement:
    return Requirement(
        Duty(schedule.duty) if schedule.duty else None, VettingLevel(schedule.min_level)
    )


def _check(db: Session, organization_id: int, fields: ScheduleFields) -> str:
    """Every check before the first write; returns the recurrence rule as stored."""
    title = " ".join(fields.title.split())
    if not 1 <= len(title) <= TITLE_MAX:
        raise InvalidInput(
            N_("Give the schedule a title of 1 to {max} characters."),
            params={"max": TITLE_MAX},
            code="invalid_title",
        )
    if not 1 <= fields.needed <= MAX_NEEDED:
        raise InvalidInput(
            N_("A slot needs between 1 and {max} people."),
            params={"max": MAX_NEEDED},
            code="invalid_headcount",
        )
    if not 15 <= fields.duration_minutes <= MAX_MINUTES:
        raise InvalidInput(
            N_("A shift lasts between 15 minutes and 24 hours."), code="invalid_duration"
        )
    if fields.ends_on is not None and fields.ends_on < fields.starts_on:
        raise InvalidInput(N_("The schedule ends before it starts."), code="ends_before_start")
    if fields.zone_id is not None and fields.site_id is not None:
        raise InvalidInput(N_("Choose a zone or a site, not both."), code="zone_or_site")
    _check_place(db, organization_id, fields)
    return recurrence.check_rule(fields.weekdays, fields.every_weeks).text()


def _check_place(db: Session, organization_id: int, fields: ScheduleFields) -> None:
    if fields.zone_id is not None:
        zone = db.get(Zone, fields.zone_id)
        if zone is None or zone.organization_id != organization_id:
            raise NotFound(N_("Your organization has no such zone."), code="zone_not_found")
    if fields.site_id is not None:
        site = db.get(Site, fields.site_id)
        if site is None or site.organization_id != organization_id:
            raise NotFound(N_("No such site."), code="site_not_found")


def create_schedule(
    db: Session,
    organization_id: int,
    fields: ScheduleFields,
    *,
    actor_id: int | None,
    now: datetime,
    horizon_days: int,
    default_timezone: str,
) -> Schedule:
    """`horizon_days` (`coverage_horizon_days`): slots are made that far ahead at once;
    `default_timezone` (`alert_timezone`): the schedule's local time, unless it names one."""
    rule = _check(db, organization_id, fields)
    tz_name = fields.timezone or default_timezone
    recurrence.zone(tz_name)  # an unknown zone is refused here, not at the first slot
    schedule = Schedule(
        organization_id=organization_id,
        title=" ".join(fields.title.split()),
        zone_id=fields.zone_id,
        site_id=fields.site_id,
        timezone=tz_name,
        rrule=rule,
        starts_on=fields.starts_on,
        ends_on=fields.ends_on,
        start_time=fields.start_time.replace(second=0, microsecond=0),
        duration_minutes=fields.duration_minutes,
        needed=fields.needed,
        duty=fields.duty.value if fields.duty else None,
        min_level=fields.min_level.value,
        created_by_id=actor_id,
        created_at=now,
        made_until=now,
    )
    db.add(schedule)
    db.flush()
    make_slots(db, schedule, until=now + timedelta(days=horizon_days))
    return schedule


def make_slots(db: Session, schedule: Schedule, *, until: datetime) -> int:
    """Slots from the schedule's horizon up to `until`; the horizon moves to `until`."""
    if schedule.retired_at is not None or until <= schedule.made_until:
        return 0
    made = 0
    for start, end in recurrence.occurrences(
        recurrence.Rule.parse(schedule.rrule),
        starts_on=schedule.starts_on,
        ends_on=schedule.ends_on,
        start_time=schedule.start_time,
        duration=timedelta(minutes=schedule.duration_minutes),
        tz=recurrence.zone(schedule.timezone),
        after=schedule.made_until,
        until=until,
    ):
        db.add(
            Slot(
                schedule_id=schedule.id,
                organization_id=schedule.organization_id,
                starts_at=start,
                ends_at=end,
                needed=schedule.needed,
                filled=0,
            )
        )
        made += 1
    schedule.made_until = until
    db.flush()
    return made


def extend_horizons(db: Session, now: datetime, settings: Settings) -> int:
    """Worker job: every live schedule's slots up to the horizon. PostgreSQL's SKIP LOCKED
    (SQLite: one writer at a time) keeps two workers off the same schedule."""
    until = now + timedelta(days=settings.coverage_horizon_days)
    behind = db.scalars(
        select(Schedule)
        .where(Schedule.retired_at.is_(None), Schedule.made_until < until - timedelta(hours=1))
        .order_by(Schedule.id)
        .limit(settings.worker_batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    return sum(make_slots(db, schedule, until=until) for schedule in behind)


def schedule_of(db: Session, organization_id: int, schedule_id: int) -> Schedule:
    schedule = db.get(Schedule, schedule_id)
    if schedule is None or schedule.organization_id != organization_id:
        raise NotFound(N_("No such schedule."), code="schedule_not_found")
    return schedule


def schedules(db: Session, organization_id: int) -> Sequence[Schedule]:
    query = select(Schedule).where(
        Schedule.organization_id == organization_id, Schedule.retired_at.is_(None)
    )
    return db.scalars(query.order_by(Schedule.title, Schedule.id)).all()


def retire(db: Session, schedule: Schedule, *, now: datetime) -> int:
    """No more slots from now on; the future ones nobody signed up for go at once, the others
    are cancelled so their volunteers see it. Returns how many future slots ended."""
    schedule.retired_at = now
    future = db.scalars(
        select(Slot).where(Slot.schedule_id == schedule.id, Slot.starts_at > now)
    ).all()
    for slot in future:
        if slot.filled == 0:
            db.delete(slot)
        else:
            slot.cancelled_at = now
    return len(future)
