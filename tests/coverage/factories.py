"""Sites, schedules and sign-ups for coverage tests. The cast's clock starts on a Monday,
2026-06-01 at 10:00 in Los Angeles (17:00 UTC)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from vecinos.config import Settings
from vecinos.coverage import contacts, schedules, signups, sites
from vecinos.coverage.models import SiteKind, Slot
from vecinos.db import transaction
from vecinos.geo.landmarks import LandmarkFields, create_landmark
from vecinos.training.models import Duty, VettingLevel

SCHOOL = (34.0412, -118.2468)  # a point downtown, inside the default service area


def make_site(
    sessions: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
    name: str = "Ninth Street School",
    *,
    kind: SiteKind = SiteKind.SCHOOL,
    at: tuple[float, float] = SCHOOL,
    organization_id: int | None = None,
) -> int:
    organization = organization_id or cast.eastside
    with transaction(sessions) as db:
        landmark = create_landmark(
            db, organization, LandmarkFields(name, *at),
            service_area_geojson=settings.service_area_geojson, now=cast.clock.now(),
        )  # fmt: skip
        return sites.create_site(db, organization, landmark.id, kind, now=cast.clock.now()).id


WEEKDAY_MORNINGS = schedules.ScheduleFields(
    title="School drop-off watch",
    starts_on=date(2026, 6, 1),
    start_time=time(7, 30),
    duration_minutes=60,
    needed=2,
    weekdays=("MO", "TU", "WE", "TH", "FR"),
)


def make_schedule(
    sessions: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
    fields: schedules.ScheduleFields = WEEKDAY_MORNINGS,
    *,
    organization_id: int | None = None,
    duty: Duty | None = None,
    min_level: VettingLevel = VettingLevel.NEW,
    **changes: object,
) -> int:
    chosen = replace(fields, duty=duty, min_level=min_level, **changes)  # type: ignore[arg-type]
    with transaction(sessions) as db:
        made = schedules.create_schedule(
            db, organization_id or cast.eastside, chosen,
            actor_id=cast.elena.member_id, now=cast.clock.now(),
            horizon_days=settings.coverage_horizon_days, default_timezone=settings.alert_timezone,
        )  # fmt: skip
        return made.id


def slots_of(db: Session, schedule_id: int) -> list[Slot]:
    db.expire_all()
    query = select(Slot).where(Slot.schedule_id == schedule_id).order_by(Slot.starts_at)
    return list(db.scalars(query))


def first_slot(sessions: sessionmaker[Session], schedule_id: int, after: datetime) -> int:
    with transaction(sessions) as db:
        found = db.scalar(
            select(Slot.id)
            .where(Slot.schedule_id == schedule_id, Slot.starts_at > after)
            .order_by(Slot.starts_at)
        )
        assert found is not None
        return found


def sign_up(sessions: sessionmaker[Session], cast: Cast, person: Person, slot_id: int) -> int:
    with transaction(sessions) as db:
        slot = signups.slot_in(db, cast.eastside, slot_id)
        return signups.sign_up(db, person.member_id, slot, now=cast.clock.now()).id


def leave_number(
    sessions: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
    person: Person,
    phone: str,
    language: str = "es",
) -> None:
    """`person`'s phone for reminders and broadcasts, sealed as the page seals it."""
    with transaction(sessions) as db:
        contacts.set_contact(
            db, person.member_id, "sms", phone, language, settings=settings, now=cast.clock.now()
        )
