"""Training API: coordinators define courses, record completions and set vetting levels;
everyone in the organization may read the courses; each member reads their own standing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from vecinos.accounts.models import Member, Role
from vecinos.identity import Principal
from vecinos.training import service
from vecinos.training.models import Course, Duty, TrainingRecord, VettingLevel
from vecinos.training.qualification import level_of
from vecinos.web.deps import ClockDep, DbDep, PathId
from vecinos.web.policy import Coordinator, OrgRole, SignedInMember

router = APIRouter(prefix="/api/organizations/{org_id}/training", tags=["training"])
me_router = APIRouter(tags=["training"])
Member_ = Annotated[Principal, Depends(OrgRole(*Role))]
Reader = Annotated[Principal, Depends(OrgRole(Role.COORDINATOR, Role.DISPATCHER))]
STRICT = ConfigDict(extra="forbid")


class CourseIn(BaseModel):
    model_config = STRICT
    name: str = Field(max_length=240)
    description: str | None = Field(None, max_length=4000)
    valid_days: int | None = None
    duties: list[Duty] = Field(default_factory=list, max_length=len(Duty))

    def fields(self) -> service.CourseFields:
        return service.CourseFields(
            self.name, self.description, self.valid_days, frozenset(self.duties)
        )


class CourseOut(BaseModel):
    id: int
    name: str
    description: str | None
    valid_days: int | None
    duties: list[Duty]

    @classmethod
    def of(cls, course: Course, duties: list[Duty]) -> CourseOut:
        return cls(
            id=course.id,
            name=course.name,
            description=course.description,
            valid_days=course.valid_days,
            duties=duties,
        )


class RecordIn(BaseModel):
    model_config = STRICT
    course_id: PathId
    member_id: PathId
    completed_at: datetime
    vouched_by_id: PathId


class RecordOut(BaseModel):
    id: int
    course_id: PathId
    member_id: PathId
    completed_at: datetime
    expires_at: datetime | None
    vouched_by_id: int | None
    current: bool

    @classmethod
    def of(cls, record: TrainingRecord, now: datetime) -> RecordOut:
        return cls(
            id=record.id,
            course_id=record.course_id,
            member_id=record.member_id,
            completed_at=record.completed_at,
            expires_at=record.expires_at,
            vouched_by_id=record.vouched_by_id,
            current=record.expires_at is None or record.expires_at > now,
        )


class LevelIn(BaseModel):
    model_config = STRICT
    level: VettingLevel


class StandingOut(BaseModel):
    organization_id: PathId
    level: VettingLevel
    records: list[RecordOut]


def _course_out(db: DbDep, course: Course) -> CourseOut:
    return CourseOut.of(course, service.duties_of(db, [course.id])[course.id])


@router.get("/courses")
def list_courses(org_id: PathId, caller: Member_, db: DbDep) -> list[CourseOut]:
    found = service.courses(db, org_id)
    duties = service.duties_of(db, [c.id for c in found])
    return [CourseOut.of(c, duties[c.id]) for c in found]


@router.post("/courses", status_code=status.HTTP_201_CREATED)
def create_course(
    org_id: PathId, body: CourseIn, caller: Coordinator, db: DbDep, clock: ClockDep
) -> CourseOut:
    course = service.create_course(
        db, org_id, body.fields(), actor_id=caller.member_id, now=clock.now()
    )
    return _course_out(db, course)


@router.put("/courses/{course_id}")
def update_course(
    org_id: PathId,
    course_id: PathId,
    body: CourseIn,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
) -> CourseOut:
    course = service.update_course(
        db, org_id, course_id, body.fields(), actor_id=caller.member_id, now=clock.now()
    )
    return _course_out(db, course)


@router.get("/records")
def list_records(org_id: PathId, caller: Reader, db: DbDep, clock: ClockDep) -> list[RecordOut]:
    now = clock.now()
    return [RecordOut.of(r, now) for r in service.records(db, org_id)]


@router.post("/records", status_code=status.HTTP_201_CREATED)
def record_training(
    org_id: PathId, body: RecordIn, caller: Coordinator, db: DbDep, clock: ClockDep
) -> RecordOut:
    now = clock.now()
    record = service.record_training(
        db, org_id, body.course_id, body.member_id, completed_at=body.completed_at,
        vouched_by_id=body.vouched_by_id, actor_id=caller.member_id, now=now,
    )  # fmt: skip
    return RecordOut.of(record, now)


@router.delete("/records/{record_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_record(
    org_id: PathId, record_id: PathId, caller: Coordinator, db: DbDep, clock: ClockDep
) -> None:
    service.remove_record(db, org_id, record_id, actor_id=caller.member_id, now=clock.now())


@router.put("/members/{member_id}/level")
def set_level(
    org_id: PathId,
    member_id: PathId,
    body: LevelIn,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
) -> dict[str, str]:
    vetting = service.set_level(
        db, org_id, member_id, body.level, actor_id=caller.member_id, now=clock.now()
    )
    return {"level": vetting.level}


@me_router.get("/api/me/training")
def my_standing(caller: SignedInMember, db: DbDep, clock: ClockDep) -> list[StandingOut]:
    """Each of the caller's organizations: their vetting level and training records."""
    now = clock.now()
    mine = db.scalars(
        select(TrainingRecord).where(TrainingRecord.member_id == caller.member_id)
    ).all()
    return [
        StandingOut(
            organization_id=org,
            level=level_of(db, caller.member_id, org),
            records=[RecordOut.of(r, now) for r in mine if r.organization_id == org],
        )
        for org in sorted(caller.organization_ids)
    ]


def member_names(db: DbDep, member_ids: list[int]) -> dict[int, str]:
    rows = db.execute(select(Member.id, Member.display_name).where(Member.id.in_(member_ids)))
    return {row.id: row.display_name for row in rows}
