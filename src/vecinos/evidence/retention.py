"""Retention: each organization decides how long it keeps media and settled incidents.

Anything under a legal hold stays. The worker applies the policies; `plan()` lists what would
go, which is also the dry-run report. Deleting an incident deletes its reports, timeline,
dispatch rows and media with it (the database cascades); its media files go from storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vecinos.accounts import audit
from vecinos.config import Settings
from vecinos.evidence.models import Chunk, LegalHold, Media, RetentionPolicy
from vecinos.evidence.storage import Storage, storage_for
from vecinos.incidents import timeline
from vecinos.incidents.models import Incident, IncidentState

SETTLED = (IncidentState.ENDED.value, IncidentState.EXPIRED.value)


@dataclass(frozen=True)
class Doomed:
    what: str  # "media" or "incident"
    id: int
    organization_id: int
    incident_id: int
    since: datetime


def set_policy(
    db: Session,
    organization_id: int,
    *,
    media_days: int | None,
    incident_days: int | None,
    now: datetime,
) -> RetentionPolicy:
    policy = db.get(RetentionPolicy, organization_id) or RetentionPolicy(
        organization_id=organization_id
    )
    policy.media_days, policy.incident_days, policy.updated_at = media_days, incident_days, now
    db.add(policy)
    return policy


def plan(db: Session, now: datetime, limit: int | None = None) -> list[Doomed]:
    """What the policies delete now, oldest first; legal holds are never in it."""
    doomed: list[Doomed] = []
    for policy in db.scalars(select(RetentionPolicy).order_by(RetentionPolicy.organization_id)):
        if policy.media_days is not None:
            doomed += _old_media(
                db, policy.organization_id, now - timedelta(days=policy.media_days)
            )
        if policy.incident_days is not None:
            cutoff = now - timedelta(days=policy.incident_days)
            doomed += _old_incidents(db, policy.organization_id, cutoff)
    return doomed[:limit] if limit else doomed


def _old_media(db: Session, organization_id: int, cutoff: datetime) -> list[Doomed]:
    query = select(Media.id, Media.incident_id, Media.created_at).where(
        Media.organization_id == organization_id,
        Media.created_at <= cutoff,
        Media.incident_id.not_in(select(LegalHold.incident_id)),
    )
    return [
        Doomed("media", media_id, organization_id, incident_id, created)
        for media_id, incident_id, created in db.execute(query.order_by(Media.created_at))
    ]


def _old_incidents(db: Session, organization_id: int, cutoff: datetime) -> list[Doomed]:
    query = select(Incident.id, Incident.closed_at).where(
        Incident.organization_id == organization_id,
        Incident.state.in_(SETTLED),
        Incident.closed_at <= cutoff,
        Incident.id.not_in(select(LegalHold.incident_id)),
    )
    return [
        Doomed("incident", incident_id, organization_id, incident_id, closed or cutoff)
        for incident_id, closed in db.execute(query.order_by(Incident.closed_at))
    ]


def _storage_keys(db: Session, media_ids: list[int]) -> list[str]:
    keys: list[str] = []
    for original, public in db.execute(
        select(Media.storage_key, Media.public_key).where(Media.id.in_(media_ids))
    ):
        keys += [original] + ([public] if public else [])
    keys += db.scalars(select(Chunk.storage_key).where(Chunk.media_id.in_(media_ids)))
    return keys


def apply(db: Session, storage: Storage, doomed: list[Doomed], *, now: datetime) -> int:
    """Delete what `plan()` listed (the caller commits); files go once the rows are gone."""
    media_ids = [d.id for d in doomed if d.what == "media"]
    incident_ids = [d.id for d in doomed if d.what == "incident"]
    media_ids += list(db.scalars(select(Media.id).where(Media.incident_id.in_(incident_ids))))
    keys = _storage_keys(db, media_ids)
    for item in doomed:
        if item.what == "media" and item.incident_id not in incident_ids:
            payload = {"media_id": item.id, "reason": "retention"}
            timeline.append(db, item.incident_id, "media_deleted", payload, actor_id=None, now=now)
    db.execute(delete(Media).where(Media.id.in_(media_ids)))
    db.execute(delete(Incident).where(Incident.id.in_(incident_ids)))
    for item in doomed:
        audit.record(
            db, f"evidence.retention_deleted_{item.what}", at=now,
            organization_id=item.organization_id, item_id=item.id, incident_id=item.incident_id,
        )  # fmt: skip
    db.flush()
    for key in keys:
        storage.delete(key)
    return len(doomed)


def apply_policies(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's job."""
    return apply(db, storage_for(settings), plan(db, now, settings.worker_batch_size), now=now)
