"""Offering an incident to responders, and climbing the ladder when nobody accepts in time.

The ladder: the best few of the dispatching organization within the first radius, then the
next few, then a wider radius (doubling up to the maximum), then partner organizations. The
timer is durable: a request's `deadline_at` lives in the database and the worker escalates
every open request whose deadline has passed, so a restart loses nothing.

Escalating is claimed atomically: a conditional UPDATE bumps the request's `round` only if it
still holds the round the caller saw, so of two workers (or a worker and a responder's
decline) exactly one moves the request on. On PostgreSQL the worker also selects due requests
with `FOR UPDATE SKIP LOCKED`, so a second worker passes over rows the first is handling.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.db.claims import rowcount
from vecinos.dispatch import events
from vecinos.dispatch.models import (
    DispatchRequest,
    Offer,
    OfferState,
    RequestState,
    Stage,
)
from vecinos.dispatch.ranking import Candidate, Needs, order_candidates, select_candidates
from vecinos.incidents.models import Incident, IncidentState
from vecinos.vocabulary import Activity

VERIFIABLE = frozenset({IncidentState.REPORTED, IncidentState.VERIFYING})


def needs_of(request: DispatchRequest) -> Needs:
    return Needs(request.wants_legal_observer, request.wants_car, request.wants_language)


def needs_trained_observers(request: DispatchRequest, incident: Incident) -> bool:
    """An arrest in progress, or a dispatcher asking for a legal observer, is offered only to
    vetted volunteers with current observer training (training.qualification)."""
    return request.wants_legal_observer or incident.activity == Activity.ARREST_IN_PROGRESS


def next_stage(request: DispatchRequest, settings: Settings) -> tuple[Stage, int] | None:
    """Where the ladder goes when the current stage has nobody left; None at the top."""
    stage, radius = Stage(request.stage), request.radius_m
    if stage is not Stage.PARTNERS and radius < settings.dispatch_max_radius_m:
        return Stage.WIDER, min(radius * 2, settings.dispatch_max_radius_m)
    if stage is not Stage.PARTNERS:
        return Stage.PARTNERS, max(radius, settings.dispatch_max_radius_m)
    return None


def already_offered(db: Session, request_id: int) -> set[int]:
    return set(db.scalars(select(Offer.member_id).where(Offer.request_id == request_id)))


def search(
    db: Session,
    request: DispatchRequest,
    incident: Incident,
    *,
    now: datetime,
    settings: Settings,
) -> list[Candidate]:
    """The next best responders at the request's stage, skipping everyone already asked."""
    own = [request.organization_id]
    partners = Stage(request.stage) is Stage.PARTNERS
    rows = select_candidates(
        db,
        lat=incident.lat,
        lon=incident.lon,
        radius_m=request.radius_m,
        organization_ids=None if partners else own,
        exclude_organization_ids=own if partners else (),
        exclude_members=already_offered(db, request.id),
        now=now,
        location_max_age=timedelta(minutes=settings.dispatch_location_max_age_minutes),
        trained_observers_only=needs_trained_observers(request, incident),
    )
    return order_candidates(
        rows,
        lat=incident.lat,
        lon=incident.lon,
        radius_m=request.radius_m,
        needs=needs_of(request),
        penalty_m=settings.dispatch_capability_penalty_m,
        limit=settings.dispatch_offer_batch,
    )


def offer_next(
    db: Session,
    request: DispatchRequest,
    incident: Incident,
    *,
    now: datetime,
    settings: Settings,
) -> int:
    """Offer to the next best responders, climbing the ladder until someone is found.

    Returns how many offers went out; 0 means the ladder is exhausted (recorded as such).
    """
    while True:
        found = search(db, request, incident, now=now, settings=settings)
        if found:
            _make_offers(db, request, found, now=now, settings=settings)
            return len(found)
        step = next_stage(request, settings)
        if step is None:
            request.state = RequestState.EXHAUSTED
            _record(db, request, "dispatch.exhausted", {"round": request.round}, now=now)
            return 0
        request.stage, request.radius_m = step
        payload = {"round": request.round, "stage": step[0].value, "radius_m": step[1]}
        _record(db, request, "dispatch.widened", payload, now=now)


def _make_offers(
    db: Session,
    request: DispatchRequest,
    found: list[Candidate],
    *,
    now: datetime,
    settings: Settings,
) -> None:
    expires = now + timedelta(seconds=settings.dispatch_offer_seconds)
    request.deadline_at = expires
    for rank, candidate in enumerate(found, start=1):
        offer = Offer(
            request_id=request.id,
            incident_id=request.incident_id,
            member_id=candidate.shift.member_id,
            organization_id=candidate.shift.organization_id,
            shift_id=candidate.shift.shift_id,
            round=request.round,
            rank=rank,
            state=OfferState.OFFERED,
            offered_at=now,
            expires_at=expires,
        )
        db.add(offer)
        db.flush()
        payload = {
            "offer_id": offer.id,
            "member_id": offer.member_id,
            "organization_id": offer.organization_id,
            "round": request.round,
            "rank": rank,
            "stage": request.stage,
        }
        _record(db, request, "dispatch.offered", payload, now=now)


def _record(
    db: Session,
    request: DispatchRequest,
    kind: str,
    payload: dict[str, Any],
    *,
    now: datetime,
    actor_id: int | None = None,
) -> None:
    events.record(db, request.incident_id, kind, payload, actor_id=actor_id, now=now)


def close_offers(
    db: Session,
    request: DispatchRequest,
    to_state: OfferState,
    *,
    now: datetime,
    states: frozenset[OfferState] = frozenset({OfferState.OFFERED}),
) -> list[int]:
    """Move the request's offers in `states` to `to_state`; returns the ids that moved.

    UPDATE … RETURNING names exactly the rows this statement changed, so an offer a responder
    accepted a moment earlier is neither expired nor reported as expired.
    """
    statement = (
        update(Offer)
        .where(Offer.request_id == request.id, Offer.state.in_([s.value for s in states]))
        .values(state=to_state.value, answered_at=now)
        .returning(Offer.id)
        # Offers this session already holds are brought up to date from the rows it changed.
        .execution_options(synchronize_session="fetch")
    )
    return sorted(db.scalars(statement).all())


def claim_round(db: Session, request: DispatchRequest, seen_round: int) -> bool:
    """Take the right to move `request` on from `seen_round`; False when someone else did."""
    won = rowcount(
        db,
        update(DispatchRequest)
        .where(
            DispatchRequest.id == request.id,
            DispatchRequest.round == seen_round,
            DispatchRequest.state == RequestState.OPEN.value,
        )
        .values(round=seen_round + 1)
        .execution_options(synchronize_session=False),
    )
    db.refresh(request)
    return won == 1


def escalate(
    db: Session,
    request: DispatchRequest,
    *,
    seen_round: int,
    reason: str,
    now: datetime,
    settings: Settings,
) -> bool:
    """Expire the round's unanswered offers and ask the next responders. False if lost."""
    if not claim_round(db, request, seen_round):
        return False
    expired = close_offers(db, request, OfferState.EXPIRED, now=now)
    for offer_id in expired:
        _record(db, request, "dispatch.offer_expired", {"offer_id": offer_id}, now=now)
    incident = db.get(Incident, request.incident_id, with_for_update=True)
    if incident is None or IncidentState(incident.state) not in VERIFIABLE:
        request.state = RequestState.CLOSED
        _record(db, request, "dispatch.closed", {"round": request.round}, now=now)
        return True
    payload = {"round": request.round, "reason": reason, "stage": request.stage}
    _record(db, request, "dispatch.escalated", payload, now=now)
    offer_next(db, request, incident, now=now, settings=settings)
    return True


def escalate_due(db: Session, now: datetime, settings: Settings) -> int:
    """Worker job: every open request whose round ran out without enough acceptances."""
    due = db.scalars(
        select(DispatchRequest)
        .where(
            DispatchRequest.state == RequestState.OPEN.value,
            DispatchRequest.deadline_at <= now,
        )
        .order_by(DispatchRequest.deadline_at, DispatchRequest.id)
        .limit(settings.worker_batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    moved = 0
    for request in due:
        seen = request.round
        if escalate(db, request, seen_round=seen, reason="timeout", now=now, settings=settings):
            moved += 1
    return moved
