"""Who may add, see and export evidence. Every decision about media is made here.

- add media: responders, dispatchers and legal of the incident's organization, and a
  responder of a partner organization sent there (an accepted assignment);
- see the list and the stripped public copies: any member of that organization, a responder
  sent there, and the dispatchers who see an incident nobody owns;
- see originals: only the legal role and the dispatchers of the media's organization;
- export a bundle, place a legal hold: only the legal role of the incident's organization.

Someone who may not see an incident at all gets the same 404 as for a missing one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Role
from vecinos.dispatch.models import Offer, OfferState
from vecinos.errors import Forbidden, NotFound
from vecinos.evidence.models import Media
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.incidents.models import Incident
from vecinos.incidents.service import may_see

UPLOAD_ROLES = (Role.RESPONDER, Role.DISPATCHER, Role.LEGAL)
ORIGINAL_ROLES = (Role.LEGAL, Role.DISPATCHER)
SENT_STATES = (OfferState.ACCEPTED, OfferState.EN_ROUTE, OfferState.ON_SCENE, OfferState.REPORTED)


def was_sent(db: Session, principal: Principal, incident_id: int) -> bool:
    """The caller accepted an assignment to verify this incident."""
    query = select(Offer.id).where(
        Offer.incident_id == incident_id,
        Offer.member_id == principal.member_id,
        Offer.state.in_([s.value for s in SENT_STATES]),
    )
    return db.execute(query.limit(1)).first() is not None


def _incident(db: Session, principal: Principal, incident_id: int) -> tuple[Incident, bool]:
    """The incident and whether the caller was sent to it; 404 for those who cannot know it."""
    incident = db.get(Incident, incident_id)
    if incident is None:
        raise NotFound(N_("No such incident."), code="incident_not_found")
    sent = was_sent(db, principal, incident_id)
    member = incident.organization_id in principal.organization_ids
    if not (sent or member or may_see(principal, incident)):
        raise NotFound(N_("No such incident."), code="incident_not_found")
    return incident, sent


def for_upload(db: Session, principal: Principal, incident_id: int) -> tuple[Incident, int]:
    """The incident and the organization the new media belongs to."""
    incident, sent = _incident(db, principal, incident_id)
    owner = incident.organization_id
    if owner is not None and principal.has_role(owner, *UPLOAD_ROLES):
        return incident, owner
    if sent or owner is None:
        mine = sorted(principal.organizations_where(*UPLOAD_ROLES))
        if mine:
            return incident, owner if owner is not None else mine[0]
    raise Forbidden(N_("Your role does not allow adding evidence."), code="missing_role")


def for_viewing(db: Session, principal: Principal, incident_id: int) -> Incident:
    """The incident whose media list and public copies the caller may see."""
    incident, _sent = _incident(db, principal, incident_id)
    return incident


def may_see_original(principal: Principal, media: Media) -> bool:
    owner = media.organization_id
    return owner is not None and principal.has_role(owner, *ORIGINAL_ROLES)


def for_legal(db: Session, principal: Principal, incident_id: int) -> Incident:
    """The incident, for the legal role of its organization (exports, holds)."""
    incident, _sent = _incident(db, principal, incident_id)
    owner = incident.organization_id
    if owner is None or not principal.has_role(owner, Role.LEGAL):
        raise Forbidden(
            N_("Only legal support of the incident's organization may do this."),
            code="legal_role_required",
        )
    return incident
