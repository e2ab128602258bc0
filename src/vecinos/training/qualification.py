"""Who qualifies for a piece of work: a vetting level at least as high as asked, and, when the
work has a duty, an unexpired record of a course of the same organization that prepares for it.

The same rule is a Python check (sign-ups, swaps, accepting an offer) and a SQL clause
(ranking responders, listing who could fill a slot), so an expired course stops counting in
both at the same instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import BindParameter

from vecinos.errors import Forbidden
from vecinos.i18n import N_
from vecinos.training.models import (
    LEVEL_RANK,
    CourseDuty,
    Duty,
    TrainingRecord,
    Vetting,
    VettingLevel,
)

Column = ColumnElement[int] | InstrumentedAttribute[int]
Moment = ColumnElement[datetime] | BindParameter[datetime]


@dataclass(frozen=True)
class Requirement:
    duty: Duty | None = None
    min_level: VettingLevel = VettingLevel.NEW

    @property
    def asks_nothing(self) -> bool:
        return self.duty is None and self.min_level is VettingLevel.NEW


NOTHING = Requirement()
# An arrest in progress, or a dispatcher asking for a legal observer: trained and vetted only.
LEGAL_OBSERVER = Requirement(Duty.LEGAL_OBSERVER, VettingLevel.VETTED)
ACCOMPANIMENT = Requirement(Duty.ACCOMPANIMENT, VettingLevel.VETTED)


def levels_from(minimum: VettingLevel) -> list[str]:
    return [level.value for level in VettingLevel if LEVEL_RANK[level] >= LEVEL_RANK[minimum]]


def vetted_clause(
    member: Column, organization: Column, minimum: VettingLevel
) -> ColumnElement[bool]:
    if minimum is VettingLevel.NEW:
        return true()
    return exists().where(
        Vetting.member_id == member,
        Vetting.organization_id == organization,
        Vetting.level.in_(levels_from(minimum)),
    )


def trained_clause(
    member: Column, organization: Column, duty: Duty, at: Moment
) -> ColumnElement[bool]:
    return exists().where(
        TrainingRecord.member_id == member,
        TrainingRecord.organization_id == organization,
        TrainingRecord.course_id == CourseDuty.course_id,
        CourseDuty.duty == duty.value,
        or_(TrainingRecord.expires_at.is_(None), TrainingRecord.expires_at > at),
    )


def qualified_clause(
    member: Column, organization: Column, requirement: Requirement, at: Moment
) -> ColumnElement[bool]:
    """True for the rows whose member meets `requirement` in that organization at `at`."""
    clause = vetted_clause(member, organization, requirement.min_level)
    if requirement.duty is not None:
        clause = and_(clause, trained_clause(member, organization, requirement.duty, at))
    return clause


def level_of(db: Session, member_id: int, organization_id: int) -> VettingLevel:
    found = db.scalar(
        select(Vetting.level).where(
            Vetting.member_id == member_id, Vetting.organization_id == organization_id
        )
    )
    return VettingLevel(found) if found else VettingLevel.NEW


def is_trained(db: Session, member_id: int, organization_id: int, duty: Duty, at: datetime) -> bool:
    query = select(TrainingRecord.id).where(
        TrainingRecord.member_id == member_id,
        TrainingRecord.organization_id == organization_id,
        TrainingRecord.course_id == CourseDuty.course_id,
        CourseDuty.duty == duty.value,
        or_(TrainingRecord.expires_at.is_(None), TrainingRecord.expires_at > at),
    )
    return db.scalar(query.limit(1)) is not None


def shortfall(
    db: Session, member_id: int, organization_id: int, requirement: Requirement, at: datetime
) -> str | None:
    """None when the member qualifies; else what is missing: "vetting" or "training"."""
    if LEVEL_RANK[level_of(db, member_id, organization_id)] < LEVEL_RANK[requirement.min_level]:
        return "vetting"
    if requirement.duty is not None and not is_trained(
        db, member_id, organization_id, requirement.duty, at
    ):
        return "training"
    return None


def qualifies(
    db: Session, member_id: int, organization_id: int, requirement: Requirement, at: datetime
) -> bool:
    return shortfall(db, member_id, organization_id, requirement, at) is None


def refuse_unless_qualified(
    db: Session,
    member_id: int,
    organization_id: int,
    requirement: Requirement,
    at: datetime,
    *,
    someone_else: bool = False,
) -> None:
    """A clear refusal naming what is missing (for the caller, or for the person they named)."""
    missing = shortfall(db, member_id, organization_id, requirement, at)
    if missing is None:
        return
    if someone_else:
        raise Forbidden(
            N_("That volunteer lacks the vetting or current training this slot needs."),
            code="swap_unqualified",
        )
    if missing == "vetting":
        raise Forbidden(
            N_("This needs a vetting level your organization has not given you yet."),
            code="not_vetted",
        )
    raise Forbidden(
        N_("This needs a training course you have not completed, or whose validity ran out."),
        code="not_trained",
    )
