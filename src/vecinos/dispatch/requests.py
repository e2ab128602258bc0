"""A dispatcher asks for an incident to be verified, watches the offers, or calls it off."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Role
from vecinos.config import Settings
from vecinos.dispatch import events
from vecinos.dispatch.escalation import close_offers, offer_next
from vecinos.dispatch.models import (
    ACTIVE_STATES,
    DispatchRequest,
    Offer,
    OfferState,
    RequestState,
    Stage,
)
from vecinos.dispatch.ranking import Needs
from vecinos.errors import Conflict, Forbidden, InvalidInput, NotFound
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.incidents.models import Incident, IncidentState
from vecinos.incidents.service import get_visible, transition

ONGOING = frozenset({RequestState.OPEN, RequestState.STAFFED})


def dispatching_organization(principal: Principal, incident: Incident, chosen: int | None) -> int:
    """The incident's own organization; for an unowned incident, one of the caller's."""
    mine = principal.organizations_where(Role.DISPATCHER)
    if incident.organization_id is not None:
        if incident.organization_id not in mine:
            raise Forbidden(N_("Your role does not allow this."), code="missing_role")
        return incident.organization_id
    if chosen is not None:
        if chosen not in mine:
            raise Forbidden(
                N_("You are not a dispatcher of that organization."), code="not_your_organization"
            )
        return chosen
    if len(mine) != 1:
        raise InvalidInput(
            N_("Say which of your organizations dispatches this incident."),
            code="organization_required",
        )
    return next(iter(mine))


def request_of(db: Session, incident_id: int) -> DispatchRequest | None:
    return db.scalar(select(DispatchRequest).where(DispatchRequest.incident_id == incident_id))


def request_verification(
    db: Session,
    principal: Principal,
    incident_id: int,
    needs: Needs,
    *,
    organization_id: int | None,
    now: datetime,
    settings: Settings,
) -> DispatchRequest:
    """Move the incident to `verifying` and offer it to the best responders nearby."""
    incident = get_visible(db, principal, incident_id)
    organization = dispatching_organization(principal, incident, organization_id)
    db.refresh(incident, with_for_update=True)  # one request per incident, even when racing
    if request_of(db, incident.id) is not None:
        raise Conflict(
            N_("Verification of this incident was already requested."),
            code="verification_already_requested",
        )
    if IncidentState(incident.state) is not IncidentState.VERIFYING:
        transition(db, incident, IncidentState.VERIFYING, actor_id=principal.member_id, now=now)
    request = DispatchRequest(
        incident_id=incident.id,
        organization_id=organization,
        requested_by_id=principal.member_id,
        requested_at=now,
        state=RequestState.OPEN,
        stage=Stage.NEAR,
        round=1,
        radius_m=settings.dispatch_radius_m,
        needed=settings.dispatch_responders_needed,
        accepted=0,
        wants_legal_observer=needs.legal_observer,
        wants_car=needs.car,
        wants_language=needs.language,
        deadline_at=now,
    )
    db.add(request)
    db.flush()
    payload = {
        "organization_id": organization,
        "legal_observer": needs.legal_observer,
        "car": needs.car,
        "language": needs.language,
    }
    events.record(
        db, incident.id, "dispatch.requested", payload, actor_id=principal.member_id, now=now
    )
    offer_next(db, request, incident, now=now, settings=settings)
    return request


def visible_request(db: Session, principal: Principal, incident_id: int) -> DispatchRequest:
    incident = get_visible(db, principal, incident_id)
    request = request_of(db, incident.id)
    if request is None:
        raise NotFound(N_("Nobody was asked to verify this incident yet."), code="no_dispatch")
    if request.organization_id not in principal.organizations_where(Role.DISPATCHER):
        raise Forbidden(N_("Your role does not allow this."), code="missing_role")
    return request


def offers_of(db: Session, request: DispatchRequest) -> Sequence[Offer]:
    query = select(Offer).where(Offer.request_id == request.id)
    return db.scalars(query.order_by(Offer.round, Offer.rank)).all()


def cancel(
    db: Session, principal: Principal, incident_id: int, *, now: datetime
) -> DispatchRequest:
    """Call the verification off: every offer still out or underway is withdrawn."""
    request = visible_request(db, principal, incident_id)
    if RequestState(request.state) not in ONGOING:
        raise Conflict(N_("This verification is no longer under way."), code="dispatch_not_open")
    request.state = RequestState.CANCELLED
    live = frozenset({OfferState.OFFERED} | ACTIVE_STATES)
    withdrawn = close_offers(db, request, OfferState.WITHDRAWN, now=now, states=live)
    payload = {"offer_ids": withdrawn}
    events.record(
        db, incident_id, "dispatch.cancelled", payload, actor_id=principal.member_id, now=now
    )
    return request
