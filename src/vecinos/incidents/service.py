"""The incident state machine: who may move an incident, where to, and the worker's expiry.

reported → verifying → confirmed | unfounded → ended, and reported | verifying → expired when
nobody verified it in time. Every move is written to the timeline in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Role
from vecinos.config import Settings
from vecinos.errors import Conflict, NotFound
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.incidents import live, timeline
from vecinos.incidents.models import Incident, IncidentState, TimelineEvent

S = IncidentState
ALLOWED: dict[IncidentState, frozenset[IncidentState]] = {
    S.REPORTED: frozenset({S.VERIFYING, S.EXPIRED}),
    S.VERIFYING: frozenset({S.CONFIRMED, S.UNFOUNDED, S.EXPIRED}),
    S.CONFIRMED: frozenset({S.ENDED}),
    S.UNFOUNDED: frozenset({S.ENDED}),
    S.ENDED: frozenset(),
    S.EXPIRED: frozenset(),
}
SETTLED = frozenset({S.ENDED, S.EXPIRED})
UNVERIFIED = frozenset({S.REPORTED, S.VERIFYING})


def can_transition(from_state: IncidentState, to_state: IncidentState) -> bool:
    return to_state in ALLOWED[from_state]


def transition(
    db: Session,
    incident: Incident,
    to_state: IncidentState,
    *,
    actor_id: int | None,
    now: datetime,
    note: str | None = None,
) -> TimelineEvent:
    """Move the incident and record it; `actor_id` None means the worker did it."""
    from_state = IncidentState(incident.state)
    target = IncidentState(to_state)
    if not can_transition(from_state, target):
        raise Conflict(
            N_("An incident that is {from_state} cannot become {to_state}."),
            params={"from_state": from_state.value, "to_state": target.value},
            words={"from_state": "state", "to_state": "state"},
            code="transition_not_allowed",
        )
    incident.state = target
    incident.state_changed_at = now
    if target in SETTLED:
        incident.closed_at = now
    if target in (S.CONFIRMED, S.UNFOUNDED):
        incident.verdict = target.value
    payload: dict[str, str] = {"from": from_state.value, "to": target.value}
    if note:
        payload["note"] = note
    event = timeline.append(db, incident.id, "state_changed", payload, actor_id=actor_id, now=now)
    live.note_change(db, incident, "state_changed")
    return event


def visible_organizations(principal: Principal) -> frozenset[int]:
    """Dispatchers see their organizations' incidents and every incident nobody owns."""
    return principal.organizations_where(Role.DISPATCHER)


def may_see(principal: Principal, incident: Incident) -> bool:
    owner = incident.organization_id
    return owner is None or owner in visible_organizations(principal)


def owns(principal: Principal, incident: Incident) -> bool:
    """A dispatcher of the owning organization (the only ones who see callback contacts)."""
    return incident.organization_id in visible_organizations(principal)


def get_visible(db: Session, principal: Principal, incident_id: int) -> Incident:
    incident = db.get(Incident, incident_id)
    # Someone else's incident answers like a missing one: its existence is not ours to tell.
    if incident is None or not may_see(principal, incident):
        raise NotFound(N_("No such incident."), code="incident_not_found")
    return incident


def transition_by(
    db: Session,
    principal: Principal,
    incident_id: int,
    to_state: IncidentState,
    *,
    now: datetime,
    note: str | None = None,
) -> TimelineEvent:
    """A dispatcher's move; the row is locked so two dispatchers cannot both move it."""
    incident = get_visible(db, principal, incident_id)
    db.refresh(incident, with_for_update=True)
    return transition(db, incident, to_state, actor_id=principal.member_id, now=now, note=note)


def list_incidents(
    db: Session,
    principal: Principal,
    *,
    states: Sequence[IncidentState] = (),
    organization_id: int | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> Sequence[Incident]:
    mine = visible_organizations(principal)
    query = select(Incident).where(
        Incident.organization_id.in_(mine) | Incident.organization_id.is_(None)
    )
    if states:
        query = query.where(Incident.state.in_([s.value for s in states]))
    if organization_id is not None:
        query = query.where(Incident.organization_id == organization_id)
    if since is not None:
        query = query.where(Incident.state_changed_at >= since)
    return db.scalars(query.order_by(Incident.opened_at.desc()).limit(limit)).all()


def expire_stale_incidents(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's sweep: unverified incidents older than the expiry become `expired`."""
    cutoff = now - timedelta(minutes=settings.incident_expiry_minutes)
    stale = db.scalars(
        select(Incident)
        .where(Incident.state.in_([s.value for s in UNVERIFIED]), Incident.opened_at <= cutoff)
        .order_by(Incident.id)
        .with_for_update(skip_locked=True)
    ).all()
    for incident in stale:
        transition(db, incident, IncidentState.EXPIRED, actor_id=None, now=now, note="timeout")
    return len(stale)
