"""Trained, vetted volunteers for tests: a course that prepares for a duty, a record, a level."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from vecinos.db import transaction
from vecinos.training import service
from vecinos.training.models import Course, Duty, VettingLevel


def course(
    sessions: sessionmaker[Session],
    cast: Cast,
    duty: Duty = Duty.LEGAL_OBSERVER,
    *,
    organization_id: int | None = None,
    valid_days: int | None = 365,
    name: str | None = None,
) -> int:
    """The organization's course for `duty` (made once, found after)."""
    organization = organization_id or cast.eastside
    title = name or f"{duty.value} training"
    with transaction(sessions) as db:
        found = db.scalar(
            select(Course.id).where(Course.organization_id == organization, Course.name == title)
        )
        if found is not None:
            return found
        fields = service.CourseFields(title, None, valid_days, frozenset({duty}))
        made = service.create_course(
            db,
            organization,
            fields,
            actor_id=_coordinator(cast, organization),
            now=cast.clock.now(),
        )
        return made.id


def _coordinator(cast: Cast, organization_id: int) -> int:
    return (cast.elena if organization_id == cast.eastside else cast.wanda).member_id


def qualify(
    sessions: sessionmaker[Session],
    cast: Cast,
    person: Person,
    duty: Duty = Duty.LEGAL_OBSERVER,
    *,
    organization_id: int | None = None,
    level: VettingLevel = VettingLevel.VETTED,
    completed_at: datetime | None = None,
    valid_days: int | None = 365,
) -> None:
    """`person` vetted at `level` and trained for `duty`, completed `completed_at` (now)."""
    organization = organization_id or cast.eastside
    course_id = course(sessions, cast, duty, organization_id=organization, valid_days=valid_days)
    coordinator = _coordinator(cast, organization)
    now = cast.clock.now()
    with transaction(sessions) as db:
        service.record_training(
            db, organization, course_id, person.member_id,
            completed_at=completed_at or now - timedelta(days=1),
            vouched_by_id=coordinator, actor_id=coordinator, now=now,
        )  # fmt: skip
        service.set_level(db, organization, person.member_id, level, actor_id=coordinator, now=now)
