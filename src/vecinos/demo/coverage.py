"""The demo coalition's planned coverage: fixed posts at real public places, recurring shifts
with sign-ups that leave a few gaps, training courses, records and vetting levels, and an
accompaniment request. Every person is invented; the places are public."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Role, RoleGrant
from vecinos.coverage import schedules, signups, sites
from vecinos.coverage.models import SiteKind, Slot
from vecinos.errors import AppError
from vecinos.geo.landmarks import LandmarkFields, create_landmark
from vecinos.geo.models import Landmark, Zone
from vecinos.training import service as training
from vecinos.training.models import Duty, VettingLevel

TIMEZONE = "America/Los_Angeles"
HORIZON_DAYS = 28
# (organization's slug, landmark, point or None for one the seed already made, kind)
POSTS = (
    ("boyle-heights", "Roosevelt High School", (34.0410, -118.2107), SiteKind.SCHOOL),
    ("boyle-heights", "Mariachi Plaza", None, SiteKind.DAY_LABOR_CORNER),
    ("boyle-heights", "Roybal Federal Building", (34.0539, -118.2407), SiteKind.IMMIGRATION_OFFICE),
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


def seed_coverage(
    db: Session, organizations: list[tuple[int, str]], *, now: datetime, area: str
) -> None:
    """`organizations`: (id, slug) of each demo organization, the first the busiest."""
    rng = random.Random(17)  # noqa: S311 - a reproducible demo, not a secret
    for index, (org_id, slug) in enumerate(organizations):
        coordinator, volunteers = _people(db, org_id)
        _training(db, org_id, coordinator, volunteers, now=now)
        posts = _posts(db, org_id, slug, now=now, area=area)
        planned = _schedules(db, org_id, coordinator, posts, now=now)
        # The last organization struggles to staff its shifts: its gaps show on the maps.
        keen = 0.35 if index == len(organizations) - 1 else 0.8
        _sign_up(db, planned, volunteers, keen, rng, now=now)


def _people(db: Session, org_id: int) -> tuple[int, list[int]]:
    grants = db.execute(
        select(RoleGrant.member_id, RoleGrant.role).where(RoleGrant.organization_id == org_id)
    ).all()
    coordinator = next(m for m, role in grants if role == Role.COORDINATOR.value)
    return coordinator, sorted(m for m, role in grants if role == Role.RESPONDER.value)


def _training(
    db: Session, org_id: int, coordinator: int, volunteers: list[int], *, now: datetime
) -> None:
    observer = training.create_course(
        db, org_id,
        training.CourseFields("Observación legal", None, 365, frozenset({Duty.LEGAL_OBSERVER})),
        actor_id=coordinator, now=now,
    )  # fmt: skip
    company = training.create_course(
        db, org_id,
        training.CourseFields("Acompañamiento", None, 365, frozenset({Duty.ACCOMPANIMENT})),
        actor_id=coordinator, now=now,
    )  # fmt: skip
    for position, member in enumerate(volunteers):
        level = [VettingLevel.TRUSTED, VettingLevel.VETTED, VettingLevel.VETTED][position % 3]
        training.set_level(db, org_id, member, level, actor_id=coordinator, now=now)
        if position % 2 == 0:
            # One of them took the course more than a year ago: it no longer counts.
            days = 400 if position == 4 else 30 + position
            training.record_training(
                db, org_id, observer.id, member, completed_at=now - timedelta(days=days),
                vouched_by_id=coordinator, actor_id=coordinator, now=now,
            )  # fmt: skip
        if position % 3 == 1:
            training.record_training(
                db, org_id, company.id, member, completed_at=now - timedelta(days=60),
                vouched_by_id=coordinator, actor_id=coordinator, now=now,
            )  # fmt: skip


def _posts(db: Session, org_id: int, slug: str, *, now: datetime, area: str) -> list[int]:
    made = []
    for owner, name, point, kind in POSTS:
        if owner != slug:
            continue
        if point is None:
            landmark_id = db.scalar(
                select(Landmark.id).where(Landmark.organization_id == org_id, Landmark.name == name)
            )
        else:
            fields = LandmarkFields(name, *point)
            landmark_id = create_landmark(db, org_id, fields, service_area_geojson=area, now=now).id
        if landmark_id is not None:
            made.append(sites.create_site(db, org_id, landmark_id, kind, now=now).id)
    return made


def _schedules(
    db: Session, org_id: int, coordinator: int, posts: list[int], *, now: datetime
) -> list[int]:
    zone = db.scalar(select(Zone.id).where(Zone.organization_id == org_id))
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    plans = [
        schedules.ScheduleFields(
            "Patrulla de la tarde", today, time(17, 0), 180, 3, zone_id=zone, timezone=TIMEZONE
        )
    ]
    if posts:
        plans.append(
            schedules.ScheduleFields(
                "Entrada de la escuela",
                today,
                time(7, 30),
                60,
                2,
                WEEKDAYS,
                site_id=posts[0],
                timezone=TIMEZONE,
                duty=None,
            )
        )
    return [
        schedules.create_schedule(
            db,
            org_id,
            plan,
            actor_id=coordinator,
            now=now,
            horizon_days=HORIZON_DAYS,
            default_timezone=TIMEZONE,
        ).id
        for plan in plans
    ]


def _sign_up(
    db: Session,
    planned: list[int],
    volunteers: list[int],
    keen: float,
    rng: random.Random,
    *,
    now: datetime,
) -> None:
    """Volunteers take places in the coming week's slots, some more eagerly than others."""
    week = db.scalars(
        select(Slot)
        .where(Slot.schedule_id.in_(planned), Slot.starts_at < now + timedelta(days=7))
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    for slot in week:
        for member in rng.sample(volunteers, k=len(volunteers)):
            if slot.filled >= slot.needed or rng.random() > keen:
                continue
            try:
                with db.begin_nested():
                    signups.sign_up(db, member, slot, now=now)
            except AppError:
                continue  # busy at that hour: someone else's turn
