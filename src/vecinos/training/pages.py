"""Coordinators' training page: courses, each member's vetting level and records (with who
vouched and when each stops counting). Plain forms: post, then back to the page."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from vecinos.accounts.members import roster
from vecinos.accounts.models import Organization
from vecinos.i18n import gettext
from vecinos.training import service
from vecinos.training.models import Duty, VettingLevel
from vecinos.training.words import DUTY_WORDS, LEVEL_WORDS
from vecinos.web.deps import ClockDep, DbDep, LanguageDep, PathId
from vecinos.web.policy import Coordinator
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE = "/organizations/{org_id}/training"


def back(org_id: PathId, anchor: str = "") -> RedirectResponse:
    where = PAGE.format(org_id=org_id) + (f"#{anchor}" if anchor else "")
    return RedirectResponse(where, status_code=303)


@router.get(PAGE)
def training_page(
    org_id: PathId,
    request: Request,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    language: LanguageDep,
) -> Response:
    now = clock.now()
    courses = service.courses(db, org_id)
    records_by_member: dict[int, list[tuple[str, datetime, datetime | None, bool]]] = {}
    names = {c.id: c.name for c in courses}
    for record in service.records(db, org_id):
        current = record.expires_at is None or record.expires_at > now
        records_by_member.setdefault(record.member_id, []).append(
            (names.get(record.course_id, "—"), record.completed_at, record.expires_at, current)
        )
    members = [(member, roles) for member, roles in roster(db, org_id)]
    return render(
        request,
        "training.html",
        language,
        org_id=org_id,
        organization=db.scalar(select(Organization.name).where(Organization.id == org_id)),
        courses=courses,
        course_duties={
            course_id: "; ".join(gettext(language, DUTY_WORDS[d]) for d in duties)
            for course_id, duties in service.duties_of(db, [c.id for c in courses]).items()
        },
        members=members,
        levels=service.levels(db, org_id),
        records=records_by_member,
        duty_words={d.value: gettext(language, w) for d, w in DUTY_WORDS.items()},
        level_words={v.value: gettext(language, w) for v, w in LEVEL_WORDS.items()},
        today=now.date().isoformat(),
        csrf_token=caller.csrf_token,
    )


@router.post(PAGE + "/courses")
def course_form(
    org_id: PathId,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    name: Annotated[str, Form(max_length=240)],
    valid_days: Annotated[int | None, Form()] = None,
    duties: Annotated[list[Duty] | None, Form()] = None,
    description: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    fields = service.CourseFields(name, description, valid_days, frozenset(duties or ()))
    service.create_course(db, org_id, fields, actor_id=caller.member_id, now=clock.now())
    return back(org_id, "courses")


@router.post(PAGE + "/records")
def record_form(
    org_id: PathId,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    course_id: Annotated[int, Form()],
    member_id: Annotated[int, Form()],
    completed_on: Annotated[date, Form()],
    vouched_by_id: Annotated[int, Form()],
) -> RedirectResponse:
    service.record_training(
        db, org_id, course_id, member_id,
        completed_at=datetime.combine(completed_on, time(12), tzinfo=UTC),
        vouched_by_id=vouched_by_id, actor_id=caller.member_id, now=clock.now(),
    )  # fmt: skip
    return back(org_id, f"member-{member_id}")


@router.post(PAGE + "/members/{member_id}/level")
def level_form(
    org_id: PathId,
    member_id: PathId,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    level: Annotated[VettingLevel, Form()],
) -> RedirectResponse:
    service.set_level(db, org_id, member_id, level, actor_id=caller.member_id, now=clock.now())
    return back(org_id, f"member-{member_id}")
