"""A responder's side of an offer: accept, decline, en route, on scene, finding.

A confirmed finding confirms the incident. "Not found" and "different activity" do not mark it
unfounded on their own: agents may have left minutes before the responder arrived, and an
unfounded verdict lowers the trust of whoever reported it, so a dispatcher decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.db.claims import rowcount
from vecinos.dispatch import events, observer
from vecinos.dispatch.escalation import close_offers, escalate, needs_trained_observers
from vecinos.dispatch.models import (
    ACTIVE_STATES,
    DispatchRequest,
    Finding,
    Offer,
    OfferState,
    RequestState,
)
from vecinos.dispatch.observer import ObserverReportIn
from vecinos.dispatch.shifts import open_shift_of
from vecinos.errors import Conflict, Gone, NotFound
from vecinos.i18n import N_
from vecinos.incidents.models import Incident, IncidentState
from vecinos.incidents.service import transition
from vecinos.training.qualification import LEGAL_OBSERVER, refuse_unless_qualified

NOTE_MAX = 2000
# What a responder may do next from each state of their offer.
ADVANCE_FROM: dict[OfferState, frozenset[OfferState]] = {
    OfferState.EN_ROUTE: frozenset({OfferState.ACCEPTED}),
    OfferState.ON_SCENE: frozenset({OfferState.ACCEPTED, OfferState.EN_ROUTE}),
    OfferState.REPORTED: ACTIVE_STATES,
}


def my_offer(db: Session, member_id: int, offer_id: int) -> Offer:
    offer = db.get(Offer, offer_id)
    # Someone else's offer answers like a missing one.
    if offer is None or offer.member_id != member_id:
        raise NotFound(N_("No such offer."), code="offer_not_found")
    return offer


def my_offers(db: Session, member_id: int) -> Sequence[Offer]:
    """Offers waiting for an answer and assignments under way."""
    live = [s.value for s in {OfferState.OFFERED} | ACTIVE_STATES]
    query = select(Offer).where(Offer.member_id == member_id, Offer.state.in_(live))
    return db.scalars(query.order_by(Offer.offered_at)).all()


def refuse_unless_waiting(offer: Offer, now: datetime) -> None:
    """A clear answer for an offer that can no longer be accepted or declined."""
    state = OfferState(offer.state)
    if state is OfferState.WITHDRAWN:
        raise Conflict(
            N_("This offer was withdrawn; someone else has it or it was called off."),
            code="offer_withdrawn",
        )
    if state is OfferState.EXPIRED or (state is OfferState.OFFERED and offer.expires_at <= now):
        raise Gone(N_("This offer has expired."), code="offer_expired")
    if state is not OfferState.OFFERED:
        raise Conflict(N_("You already answered this offer."), code="offer_already_answered")


def accept(
    db: Session,
    member_id: int,
    offer_id: int,
    *,
    now: datetime,
    settings: Settings | None = None,
) -> Offer:
    """Take the assignment. With `settings`, the responder's other waiting offers are handed
    on at once (their escalation needs the settings); without, they simply time out."""
    offer = my_offer(db, member_id, offer_id)
    refuse_unless_waiting(offer, now)
    _refuse_unless_still_qualified(db, offer, now)
    if open_shift_of(db, member_id) is None:
        raise Conflict(N_("Check in for a shift first."), code="not_checked_in")
    if active_assignment(db, member_id) is not None:
        raise Conflict(N_("Finish your current assignment first."), code="already_on_assignment")
    if not _take(db, offer, OfferState.ACCEPTED, now=now):
        _explain_lost_race(db, offer, now)
    request = _count_acceptance(db, offer)
    _record(db, offer, "dispatch.accepted", now=now)
    if request.accepted >= request.needed:
        request.state = RequestState.STAFFED
        withdrawn = close_offers(db, request, OfferState.WITHDRAWN, now=now)
        if withdrawn:
            payload = {"offer_ids": withdrawn, "reason": "staffed"}
            events.record(
                db, offer.incident_id, "dispatch.withdrawn", payload, actor_id=None, now=now
            )
    if settings is not None:  # offers for other incidents move on to someone else now
        release_member(db, member_id, now=now, settings=settings, reason="accepted_elsewhere")
    db.refresh(offer)
    return offer


def _refuse_unless_still_qualified(db: Session, offer: Offer, now: datetime) -> None:
    """Training that ran out between the offer and the answer no longer counts."""
    request = db.get(DispatchRequest, offer.request_id)
    incident = db.get(Incident, offer.incident_id)
    assert request is not None
    assert incident is not None
    if needs_trained_observers(request, incident):
        refuse_unless_qualified(db, offer.member_id, offer.organization_id, LEGAL_OBSERVER, now)


def _take(db: Session, offer: Offer, to_state: OfferState, *, now: datetime) -> bool:
    """Conditional UPDATE: only a still-waiting, unexpired offer changes hands."""
    changed = rowcount(
        db,
        update(Offer)
        .where(
            Offer.id == offer.id,
            Offer.state == OfferState.OFFERED.value,
            Offer.expires_at > now,
        )
        .values(state=to_state.value, answered_at=now)
        .execution_options(synchronize_session=False),
    )
    return changed == 1


def _explain_lost_race(db: Session, offer: Offer, now: datetime) -> None:
    """Someone changed the offer between our read and our update: say what happened."""
    db.refresh(offer)
    refuse_unless_waiting(offer, now)
    raise Conflict(N_("You already answered this offer."), code="offer_already_answered")


def _count_acceptance(db: Session, offer: Offer) -> DispatchRequest:
    """Count one more acceptance, unless the request is already staffed or closed."""
    counted = rowcount(
        db,
        update(DispatchRequest)
        .where(
            DispatchRequest.id == offer.request_id,
            DispatchRequest.state == RequestState.OPEN.value,
            DispatchRequest.accepted < DispatchRequest.needed,
        )
        .values(accepted=DispatchRequest.accepted + 1)
        .execution_options(synchronize_session=False),
    )
    if counted != 1:  # the whole transaction rolls back, the offer's change included
        raise Conflict(
            N_("This offer was withdrawn; someone else has it or it was called off."),
            code="offer_withdrawn",
        )
    request = db.get(DispatchRequest, offer.request_id)
    assert request is not None
    db.refresh(request)
    return request


def active_assignment(db: Session, member_id: int) -> Offer | None:
    query = select(Offer).where(
        Offer.member_id == member_id, Offer.state.in_([s.value for s in ACTIVE_STATES])
    )
    return db.scalar(query.limit(1))


def decline(
    db: Session, member_id: int, offer_id: int, *, now: datetime, settings: Settings
) -> Offer:
    offer = my_offer(db, member_id, offer_id)
    refuse_unless_waiting(offer, now)
    _decline(db, offer, reason="declined", now=now, settings=settings)
    db.refresh(offer)
    return offer


def _decline(db: Session, offer: Offer, *, reason: str, now: datetime, settings: Settings) -> None:
    if not _take(db, offer, OfferState.DECLINED, now=now):
        _explain_lost_race(db, offer, now)
    _record(db, offer, "dispatch.declined", now=now, reason=reason)
    _escalate_if_nobody_left(db, offer.request_id, now=now, settings=settings)


def _escalate_if_nobody_left(
    db: Session, request_id: int, *, now: datetime, settings: Settings
) -> None:
    """When every offer of the round was declined, there is no reason to wait for the timer."""
    request = db.get(DispatchRequest, request_id)
    assert request is not None
    db.refresh(request)
    waiting = select(Offer.id).where(
        Offer.request_id == request_id, Offer.state == OfferState.OFFERED.value
    )
    if RequestState(request.state) is RequestState.OPEN and db.scalar(waiting.limit(1)) is None:
        escalate(
            db, request, seen_round=request.round, reason="declined", now=now, settings=settings
        )


def release_member(
    db: Session,
    member_id: int,
    *,
    now: datetime,
    settings: Settings,
    reason: str = "checked_out",
) -> int:
    """Every offer still waiting for this responder counts as declined (at check-out, or
    once they accepted another)."""
    waiting = select(Offer).where(
        Offer.member_id == member_id, Offer.state == OfferState.OFFERED.value
    )
    released = 0
    for offer in db.scalars(waiting).all():
        if offer.expires_at > now:
            _decline(db, offer, reason=reason, now=now, settings=settings)
            released += 1
    return released


def advance(
    db: Session, member_id: int, offer_id: int, to_state: OfferState, *, now: datetime
) -> Offer:
    """En route or on scene, in order; each step goes on the incident's timeline."""
    offer = my_offer(db, member_id, offer_id)
    stamp = {"en_route_at": now} if to_state is OfferState.EN_ROUTE else {"on_scene_at": now}
    _step(db, offer, to_state, **stamp)
    _record(db, offer, f"dispatch.{to_state.value}", now=now)
    return offer


def _step(db: Session, offer: Offer, to_state: OfferState, **values: object) -> None:
    """Conditional UPDATE, so a dispatcher's withdrawal at the same moment is not overwritten."""
    allowed = ADVANCE_FROM[to_state]
    _check_active(offer, allowed)
    changed = rowcount(
        db,
        update(Offer)
        .where(Offer.id == offer.id, Offer.state.in_([s.value for s in allowed]))
        .values(state=to_state.value, **values)
        .execution_options(synchronize_session=False),
    )
    db.refresh(offer)
    if changed != 1:
        _check_active(offer, frozenset())


def _check_active(offer: Offer, allowed: frozenset[OfferState]) -> None:
    state = OfferState(offer.state)
    if state is OfferState.WITHDRAWN:
        raise Conflict(
            N_("This offer was withdrawn; someone else has it or it was called off."),
            code="offer_withdrawn",
        )
    if state is OfferState.EXPIRED:
        raise Gone(N_("This offer has expired."), code="offer_expired")
    if state not in allowed:
        raise Conflict(
            N_("That step does not follow from where this assignment is ({state})."),
            params={"state": state.value},
            words={"state": "offer"},
            code="offer_step_not_allowed",
        )


def file_finding(
    db: Session,
    member_id: int,
    offer_id: int,
    finding: Finding,
    note: str | None,
    *,
    now: datetime,
    report: ObserverReportIn | None = None,
) -> Offer:
    """What the responder saw, with their observer report if they filed one. A confirmed
    finding confirms a verifying incident."""
    offer = my_offer(db, member_id, offer_id)
    text = (note or "").strip()[:NOTE_MAX] or None
    _step(db, offer, OfferState.REPORTED, finding=finding.value, finding_note=text, reported_at=now)
    extra: dict[str, object] = {"finding": finding.value, "note": text}
    if report is not None:
        extra["observer_report"] = observer.facts(observer.record(db, offer, report, now=now))
    _record(db, offer, "dispatch.finding", now=now, **extra)
    incident = db.get(Incident, offer.incident_id, with_for_update=True)
    assert incident is not None
    if finding is Finding.CONFIRMED and IncidentState(incident.state) is IncidentState.VERIFYING:
        transition(
            db, incident, IncidentState.CONFIRMED, actor_id=member_id, now=now, note="finding"
        )
    return offer


def _record(db: Session, offer: Offer, kind: str, *, now: datetime, **extra: object) -> None:
    payload = {"offer_id": offer.id, **extra}
    events.record(db, offer.incident_id, kind, payload, actor_id=offer.member_id, now=now)
