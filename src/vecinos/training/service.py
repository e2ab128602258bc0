"""Coordinators define courses, record who completed them, and set vetting levels.

Every check comes before the first write, so a refused record leaves nothing behind. Each
change goes to the audit log with who made it (who vouched, who vetted), never from where.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vecinos.accounts import audit
from vecinos.accounts.models import Member, RoleGrant
from vecinos.errors import Conflict, InvalidInput, NotFound
from vecinos.i18n import N_
from vecinos.training.models import (
    Course,
    CourseDuty,
    Duty,
    TrainingRecord,
    Vetting,
    VettingLevel,
)

NAME_MAX = 120
DESCRIPTION_MAX = 2000
MAX_VALID_DAYS = 3660


@dataclass(frozen=True)
class CourseFields:
    name: str
    description: str | None
    valid_days: int | None
    duties: frozenset[Duty]


def _check_course(fields: CourseFields) -> CourseFields:
    name = " ".join(fields.name.split())
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidInput(
            N_("Give the course a name of 1 to {max} characters."),
            params={"max": NAME_MAX},
            code="invalid_name",
        )
    if fields.valid_days is not None and not 1 <= fields.valid_days <= MAX_VALID_DAYS:
        raise InvalidInput(
            N_("A course stays valid between 1 and {max} days, or without end."),
            params={"max": MAX_VALID_DAYS},
            code="invalid_validity",
        )
    description = (fields.description or "").strip()[:DESCRIPTION_MAX] or None
    return CourseFields(name, description, fields.valid_days, fields.duties)


def _refuse_same_name(db: Session, organization_id: int, name: str, course_id: int = 0) -> None:
    clash = db.scalar(
        select(Course.id).where(
            Course.organization_id == organization_id, Course.name == name, Course.id != course_id
        )
    )
    if clash is not None:
        raise Conflict(N_("A course of this name already exists."), code="duplicate_course")


def create_course(
    db: Session, organization_id: int, fields: CourseFields, *, actor_id: int, now: datetime
) -> Course:
    fields = _check_course(fields)
    _refuse_same_name(db, organization_id, fields.name)
    course = Course(
        organization_id=organization_id,
        name=fields.name,
        description=fields.description,
        valid_days=fields.valid_days,
        created_at=now,
    )
    db.add(course)
    db.flush()
    db.add_all(CourseDuty(course_id=course.id, duty=d.value) for d in sorted(fields.duties))
    audit.record(
        db, "training.course_created", at=now, actor_id=actor_id,
        organization_id=organization_id, course_id=course.id,
    )  # fmt: skip
    return course


def update_course(
    db: Session,
    organization_id: int,
    course_id: int,
    fields: CourseFields,
    *,
    actor_id: int,
    now: datetime,
) -> Course:
    """Changing the validity does not move records already made: they keep their expiry."""
    course = course_of(db, organization_id, course_id)
    fields = _check_course(fields)
    _refuse_same_name(db, organization_id, fields.name, course.id)
    course.name, course.description, course.valid_days = (
        fields.name,
        fields.description,
        fields.valid_days,
    )
    db.execute(delete(CourseDuty).where(CourseDuty.course_id == course.id))
    db.add_all(CourseDuty(course_id=course.id, duty=d.value) for d in sorted(fields.duties))
    audit.record(
        db, "training.course_changed", at=now, actor_id=actor_id,
        organization_id=organization_id, course_id=course.id,
    )  # fmt: skip
    return course


def course_of(db: Session, organization_id: int, course_id: int) -> Course:
    """A course of this organization; another organization's answers like a missing one."""
    course = db.get(Course, course_id)
    if course is None or course.organization_id != organization_id:
        raise NotFound(
            N_("This organization has no such course."), code="course_not_in_organization"
        )
    return course


def courses(db: Session, organization_id: int) -> Sequence[Course]:
    query = select(Course).where(Course.organization_id == organization_id)
    return db.scalars(query.order_by(Course.name)).all()


def duties_of(db: Session, course_ids: Sequence[int]) -> dict[int, list[Duty]]:
    found: dict[int, list[Duty]] = {course_id: [] for course_id in course_ids}
    if course_ids:
        rows = db.execute(
            select(CourseDuty.course_id, CourseDuty.duty)
            .where(CourseDuty.course_id.in_(course_ids))
            .order_by(CourseDuty.duty)
        )
        for course_id, duty in rows:
            found[course_id].append(Duty(duty))
    return found


def refuse_unless_member(db: Session, organization_id: int, member_id: int) -> Member:
    in_org = select(RoleGrant.id).where(
        RoleGrant.member_id == member_id, RoleGrant.organization_id == organization_id
    )
    member = db.get(Member, member_id)
    if member is None or db.scalar(in_org.limit(1)) is None:
        raise NotFound(
            N_("This person is not a member of the organization."), code="member_not_found"
        )
    return member


def record_training(
    db: Session,
    organization_id: int,
    course_id: int,
    member_id: int,
    *,
    completed_at: datetime,
    vouched_by_id: int,
    actor_id: int,
    now: datetime,
) -> TrainingRecord:
    """`member_id` completed the course on `completed_at`, vouched for by a member of the same
    organization. A second record of the same course renews the first."""
    course = course_of(db, organization_id, course_id)
    refuse_unless_member(db, organization_id, member_id)
    refuse_unless_member(db, organization_id, vouched_by_id)
    if completed_at > now:
        raise InvalidInput(
            N_("A course cannot be completed in the future."), code="completed_in_future"
        )
    expires = completed_at + timedelta(days=course.valid_days) if course.valid_days else None
    record = db.scalar(
        select(TrainingRecord).where(
            TrainingRecord.course_id == course.id, TrainingRecord.member_id == member_id
        )
    )
    if record is None:
        record = TrainingRecord(
            organization_id=organization_id, course_id=course.id, member_id=member_id
        )
        db.add(record)
    record.completed_at, record.expires_at = completed_at, expires
    record.vouched_by_id, record.recorded_by_id, record.recorded_at = vouched_by_id, actor_id, now
    db.flush()
    audit.record(
        db, "training.recorded", at=now, actor_id=actor_id, organization_id=organization_id,
        course_id=course.id, member_id=member_id, vouched_by=vouched_by_id,
    )  # fmt: skip
    return record


def remove_record(
    db: Session, organization_id: int, record_id: int, *, actor_id: int, now: datetime
) -> None:
    record = db.get(TrainingRecord, record_id)
    if record is None or record.organization_id != organization_id:
        raise NotFound(N_("No such training record."), code="record_not_found")
    audit.record(
        db, "training.removed", at=now, actor_id=actor_id, organization_id=organization_id,
        course_id=record.course_id, member_id=record.member_id,
    )  # fmt: skip
    db.delete(record)


def records(db: Session, organization_id: int) -> Sequence[TrainingRecord]:
    query = select(TrainingRecord).where(TrainingRecord.organization_id == organization_id)
    return db.scalars(query.order_by(TrainingRecord.member_id, TrainingRecord.course_id)).all()


def set_level(
    db: Session,
    organization_id: int,
    member_id: int,
    level: VettingLevel,
    *,
    actor_id: int,
    now: datetime,
) -> Vetting:
    refuse_unless_member(db, organization_id, member_id)
    vetting = db.scalar(
        select(Vetting).where(
            Vetting.organization_id == organization_id, Vetting.member_id == member_id
        )
    )
    if vetting is None:
        vetting = Vetting(organization_id=organization_id, member_id=member_id)
        db.add(vetting)
    vetting.level, vetting.set_by_id, vetting.set_at = level, actor_id, now
    audit.record(
        db, "training.vetting_set", at=now, actor_id=actor_id, organization_id=organization_id,
        member_id=member_id, level=level.value,
    )  # fmt: skip
    return vetting


def levels(db: Session, organization_id: int) -> dict[int, VettingLevel]:
    rows = db.execute(
        select(Vetting.member_id, Vetting.level).where(Vetting.organization_id == organization_id)
    )
    return {member_id: VettingLevel(level) for member_id, level in rows}
