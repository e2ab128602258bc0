"""What a dispatcher sees of a verification request: its offers, with the names of the
organization's own volunteers only (a partner organization's stay anonymous)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Member
from vecinos.dispatch import observer, requests
from vecinos.dispatch.models import DispatchRequest, Offer
from vecinos.dispatch.observer_models import ObserverReport
from vecinos.dispatch.schemas import DispatchOut, OfferForDispatcher


def dispatch_out(db: Session, request: DispatchRequest) -> DispatchOut:
    all_offers = requests.offers_of(db, request)
    own = [o.member_id for o in all_offers if o.organization_id == request.organization_id]
    names = names_of(db, own)
    reports = observer.reports_of(db, request.incident_id)
    return DispatchOut(
        incident_id=request.incident_id,
        organization_id=request.organization_id,
        state=request.state,
        stage=request.stage,
        round=request.round,
        radius_m=request.radius_m,
        needed=request.needed,
        accepted=request.accepted,
        deadline_at=request.deadline_at,
        offers=[_offer_row(o, names, reports.get(o.id)) for o in all_offers],
    )


def _offer_row(
    offer: Offer, names: dict[int, str], report: ObserverReport | None
) -> OfferForDispatcher:
    known = offer.member_id in names  # a partner organization's volunteer stays anonymous
    return OfferForDispatcher(
        id=offer.id,
        round=offer.round,
        rank=offer.rank,
        state=offer.state,
        organization_id=offer.organization_id,
        member_id=offer.member_id if known else None,
        display_name=names.get(offer.member_id),
        offered_at=offer.offered_at,
        expires_at=offer.expires_at,
        answered_at=offer.answered_at,
        en_route_at=offer.en_route_at,
        on_scene_at=offer.on_scene_at,
        finding=offer.finding,
        finding_note=offer.finding_note,
        reported_at=offer.reported_at,
        observer_report=observer.facts(report) if report else None,
    )


def names_of(db: Session, member_ids: list[int]) -> dict[int, str]:
    if not member_ids:
        return {}
    rows = db.execute(select(Member.id, Member.display_name).where(Member.id.in_(member_ids)))
    return {row.id: row.display_name for row in rows}
