"""Reminders, each sent exactly once: the day before a shift, an hour before, a few minutes
after the start to a volunteer who has not checked in, and to qualified volunteers when a slot
they could fill is short.

Exactly once, with any number of workers: each reminder is claimed by a conditional UPDATE of
its own column (`day_reminded_at IS NULL` → now), or, for short slots, by a row per slot and
volunteer whose primary key refuses a second one; the message is queued in the same
transaction, so a claim without its message (or a message without its claim) never commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from vecinos.config import Settings
from vecinos.coverage import messages, wording
from vecinos.coverage.calendar import place_names
from vecinos.coverage.messages import Text
from vecinos.coverage.models import (
    MemberPreferences,
    Schedule,
    ShortNotice,
    Signup,
    Slot,
)
from vecinos.coverage.schedules import requirement_of
from vecinos.coverage.signups import responders_of
from vecinos.db.claims import rowcount
from vecinos.dispatch.models import Shift
from vecinos.i18n import N_, gettext
from vecinos.training.qualification import qualifies

# "The day before": between 24 and 1 hours ahead, so maybe later the same day; the text
# names the day rather than saying "tomorrow".
DAY = N_("{coalition}: reminder, you are on {shift} on {day} at {time}. Check in from here: {link}")
HOUR = N_("{coalition}: {shift} starts at {time}, in an hour or less. Check in from here: {link}")
LATE = N_(
    "{coalition}: {shift} started at {time} and you have not checked in. Check in from here,"
    " or tell your coordinator you cannot come: {link}"
)
SHORT = N_("{coalition}: {shift} on {day} at {time} needs {n} more. Sign up here: {link}")
SUBJECTS = {
    "day": N_("Your next shift"),
    "hour": N_("Your shift starts soon"),
    "late": N_("You have not checked in"),
    "short": N_("A shift needs people"),
}


def _compose(
    kind: str, template: str, slot: Slot, schedule: Schedule, place: str | None,
    settings: Settings, path: str, **extra: object,
) -> messages.Compose:  # fmt: skip
    def compose(language: str) -> Text:
        shift = f"{schedule.title} ({place})" if place else schedule.title
        body = messages.say(
            language, template, coalition=settings.coalition_name, shift=shift,
            day=wording.day(slot.starts_at, schedule.timezone, language),
            time=wording.clock_time(slot.starts_at, schedule.timezone, language),
            link=messages.link(settings, path), **extra,
        )  # fmt: skip
        return Text(gettext(language, SUBJECTS[kind]), body)

    return compose


def _claim(db: Session, signup: Signup, column: InstrumentedAttribute[Any], now: datetime) -> bool:
    won = rowcount(
        db,
        update(Signup)
        .where(Signup.id == signup.id, column.is_(None))
        .values({column.key: now})
        .execution_options(synchronize_session=False),
    )
    return won == 1


def _due(
    db: Session, condition: ColumnElement[bool], settings: Settings
) -> list[tuple[Signup, Slot, Schedule]]:
    rows = db.execute(
        select(Signup, Slot, Schedule)
        .join(Slot, Slot.id == Signup.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .where(condition, Slot.cancelled_at.is_(None))
        .order_by(Signup.starts_at, Signup.id)
        .limit(settings.worker_batch_size)
        .with_for_update(skip_locked=True, of=Signup)
    )
    return list(rows)


def _remind(
    db: Session,
    kind: str,
    column: InstrumentedAttribute[Any],
    condition: ColumnElement[bool],
    template: str,
    *,
    now: datetime,
    settings: Settings,
) -> int:
    due = _due(db, column.is_(None) & condition, settings)
    places = place_names(db, [schedule for _, _, schedule in due])
    sent = 0
    for signup, slot, schedule in due:
        if not _claim(db, signup, column, now):
            continue
        compose = _compose(
            kind, template, slot, schedule, places[schedule.id], settings,
            f"/coverage#signup-{signup.id}",
        )  # fmt: skip
        reached = messages.tell_members(
            db, [signup.member_id], compose, purpose=f"coverage.{kind}", now=now,
            settings=settings, expires_at=slot.ends_at,
        )  # fmt: skip
        sent += len(reached)
    return sent


def _on_shift(
    organization_id: ColumnElement[int] | InstrumentedAttribute[int],
) -> ColumnElement[bool]:
    return exists().where(
        Shift.member_id == Signup.member_id,
        Shift.organization_id == organization_id,
        Shift.ended_at.is_(None),
    )


def send_reminders(db: Session, now: datetime, settings: Settings) -> int:
    """Worker job: every reminder now due, each exactly once."""
    hour, day = timedelta(hours=1), timedelta(days=1)
    late = timedelta(minutes=settings.coverage_late_minutes)
    sent = _remind(
        db, "day", Signup.day_reminded_at,
        (Signup.starts_at > now + hour) & (Signup.starts_at <= now + day), DAY,
        now=now, settings=settings,
    )  # fmt: skip
    sent += _remind(
        db, "hour", Signup.hour_reminded_at,
        (Signup.starts_at > now) & (Signup.starts_at <= now + hour)
        & Signup.checked_in_at.is_(None),
        HOUR, now=now, settings=settings,
    )  # fmt: skip
    sent += _remind(
        db, "late", Signup.late_reminded_at,
        (Signup.starts_at <= now - late) & (Signup.ends_at > now)
        & Signup.checked_in_at.is_(None) & ~_on_shift(Signup.organization_id),
        LATE, now=now, settings=settings,
    )  # fmt: skip
    return sent + notify_short(db, now, settings)


def notify_short(db: Session, now: datetime, settings: Settings) -> int:
    """Tell each qualified volunteer, once per slot, that a slot they could fill is short."""
    window = now + timedelta(hours=settings.coverage_short_notice_hours)
    short = db.scalars(
        select(Slot)
        .where(
            Slot.starts_at > now,
            Slot.starts_at <= window,
            Slot.filled < Slot.needed,
            Slot.cancelled_at.is_(None),
        )
        .order_by(Slot.starts_at, Slot.id)
        .limit(settings.worker_batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    told = 0
    for slot in short:
        schedule = db.get(Schedule, slot.schedule_id)
        assert schedule is not None
        people = _could_fill(db, slot, schedule, now)
        if not people:
            continue
        db.add_all(ShortNotice(slot_id=slot.id, member_id=m, sent_at=now) for m in people)
        db.flush()  # a second worker's rows for the same pair collide here, before any message
        place = place_names(db, [schedule])[schedule.id]
        compose = _compose(
            "short", SHORT, slot, schedule, place, settings, f"/coverage#slot-{slot.id}",
            n=slot.needed - slot.filled,
        )  # fmt: skip
        told += len(
            messages.tell_members(
                db,
                people,
                compose,
                purpose="coverage.short",
                now=now,
                settings=settings,
                expires_at=slot.starts_at,
            )
        )
    return told


def _could_fill(db: Session, slot: Slot, schedule: Schedule, now: datetime) -> list[int]:
    """Volunteers of the organization who qualify, want to hear of short slots, are not on
    this slot or another at that hour, and were not told of this slot before."""
    told = set(db.scalars(select(ShortNotice.member_id).where(ShortNotice.slot_id == slot.id)))
    busy = set(
        db.scalars(
            select(Signup.member_id).where(
                Signup.starts_at < slot.ends_at, Signup.ends_at > slot.starts_at
            )
        )
    )
    quiet = set(
        db.scalars(
            select(MemberPreferences.member_id).where(
                MemberPreferences.wants_short_notices.is_(False)
            )
        )
    )
    requirement = requirement_of(schedule)
    moment = max(now, slot.starts_at)
    return [
        m
        for m in responders_of(db, slot.organization_id)
        if m not in told | busy | quiet
        and qualifies(db, m, slot.organization_id, requirement, moment)
    ]
