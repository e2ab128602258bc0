"""The volunteer broadcast: a coordinator's or dispatcher's short text to everyone on shift in
a zone, or signed up for a fixed post now: a text walkie-talkie for when radios do not reach."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts import audit
from vecinos.accounts.models import Organization
from vecinos.config import Settings
from vecinos.coverage import messages
from vecinos.coverage.messages import Text
from vecinos.coverage.models import Broadcast, Schedule, Signup, Site, Slot
from vecinos.dispatch.models import Shift
from vecinos.errors import InvalidInput, NotFound
from vecinos.geo.models import Zone
from vecinos.i18n import N_, gettext
from vecinos.shapes import contains, parse_area

TEXT_MAX = 320
# "Signed up for a site now": slots under way, or starting within this much.
SOON = timedelta(hours=1)


def _in_zone(db: Session, zone: Zone) -> set[int]:
    area = parse_area(zone.geometry)
    located = db.execute(
        select(Shift.member_id, Shift.lat, Shift.lon).where(
            Shift.organization_id == zone.organization_id,
            Shift.ended_at.is_(None),
            Shift.lat.is_not(None),
        )
    )
    return {
        m
        for m, lat, lon in located
        if lat is not None and lon is not None and contains(area, lon, lat)
    }


def _signed_up(db: Session, schedule_filter: object, now: datetime) -> set[int]:
    query = (
        select(Signup.member_id)
        .join(Slot, Slot.id == Signup.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .where(
            schedule_filter,  # type: ignore[arg-type]
            Slot.starts_at <= now + SOON,
            Slot.ends_at > now,
            Slot.cancelled_at.is_(None),
        )
    )
    return set(db.scalars(query))


def recipients(
    db: Session, organization_id: int, *, zone_id: int | None, site_id: int | None, now: datetime
) -> set[int]:
    if (zone_id is None) == (site_id is None):
        raise InvalidInput(N_("Choose a zone or a site, not both."), code="zone_or_site")
    if zone_id is not None:
        zone = db.get(Zone, zone_id)
        if zone is None or zone.organization_id != organization_id:
            raise NotFound(N_("Your organization has no such zone."), code="zone_not_found")
        return _in_zone(db, zone) | _signed_up(db, Schedule.zone_id == zone_id, now)
    site = db.get(Site, site_id)
    if site is None or site.organization_id != organization_id:
        raise NotFound(N_("No such site."), code="site_not_found")
    return _signed_up(db, Schedule.site_id == site_id, now)


def send(
    db: Session,
    organization_id: int,
    text: str,
    *,
    sender_id: int,
    zone_id: int | None,
    site_id: int | None,
    now: datetime,
    settings: Settings,
) -> Broadcast:
    """Queue the text for everyone reached, in the caller's transaction; the row keeps how many,
    and the audit log who sent one where, reaching how many."""
    body = " ".join(text.split())
    if not 1 <= len(body) <= TEXT_MAX:
        raise InvalidInput(
            N_("Write a message of 1 to {max} characters."),
            params={"max": TEXT_MAX},
            code="invalid_message",
        )
    people = recipients(db, organization_id, zone_id=zone_id, site_id=site_id, now=now)
    organization_name = db.scalar(
        select(Organization.name).where(Organization.id == organization_id)
    )

    def compose(language: str) -> Text:
        subject = gettext(language, N_("Message to volunteers on shift"))
        return Text(subject, f"{settings.coalition_name} · {organization_name}: {body}")

    reached = messages.tell_members(
        db, sorted(people), compose, purpose="coverage.broadcast", now=now, settings=settings,
        expires_at=now + SOON,
    )  # fmt: skip
    row = Broadcast(
        organization_id=organization_id,
        sent_by_id=sender_id,
        zone_id=zone_id,
        site_id=site_id,
        text=body,
        recipients=len(reached),
        created_at=now,
    )
    db.add(row)
    db.flush()
    # Who, when, where to and how many: never the text, which stays on the organization's row.
    audit.record(
        db, "coverage.broadcast", at=now, actor_id=sender_id, organization_id=organization_id,
        broadcast_id=row.id, zone_id=zone_id, site_id=site_id, recipients=row.recipients,
    )  # fmt: skip
    return row
