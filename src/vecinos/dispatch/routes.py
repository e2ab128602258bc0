"""Dispatch routes: responders' shifts and offers, dispatchers' verification requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import select

from vecinos.accounts.models import Member, Role
from vecinos.accounts.principal import Principal
from vecinos.dispatch import observer, offers, requests, shifts
from vecinos.dispatch.models import DispatchRequest, Offer, OfferState
from vecinos.dispatch.observer_models import ObserverReport
from vecinos.dispatch.ranking import Needs
from vecinos.dispatch.schemas import (
    CheckIn,
    DispatchOut,
    FindingIn,
    OfferForDispatcher,
    OfferForResponder,
    Position,
    RosterEntry,
    ShiftOut,
    VerificationIn,
)
from vecinos.incidents.models import Incident
from vecinos.web.deps import ClockDep, DbDep, LanguageDep, SettingsDep
from vecinos.web.policy import AnyOrgRole, OrgRole

router = APIRouter(tags=["dispatch"])
Responder = Annotated[Principal, Depends(AnyOrgRole(Role.RESPONDER))]
ResponderHere = Annotated[Principal, Depends(OrgRole(Role.RESPONDER))]
RosterReader = Annotated[Principal, Depends(OrgRole(Role.DISPATCHER, Role.COORDINATOR))]
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]


# --- Shifts -------------------------------------------------------------------------------


@router.post("/api/organizations/{org_id}/shifts", status_code=status.HTTP_201_CREATED)
def check_in(
    org_id: int, body: CheckIn, caller: ResponderHere, db: DbDep, clock: ClockDep
) -> ShiftOut:
    capabilities = shifts.Capabilities(
        has_car=body.has_car,
        languages=tuple(body.languages),
        radio_channel=body.radio_channel,
    )
    shift = shifts.check_in(
        db, caller.member_id, org_id, body.lat, body.lon, capabilities, now=clock.now()
    )
    return ShiftOut.of(shift)


@router.get("/api/organizations/{org_id}/shifts")
def roster(org_id: int, caller: RosterReader, db: DbDep) -> list[RosterEntry]:
    """Who is on shift now, and where: for this organization's dispatchers and coordinators."""
    open_shifts = shifts.roster(db, org_id)
    names = _names(db, [s.member_id for s in open_shifts])
    return [
        RosterEntry(**ShiftOut.of(s).model_dump(), display_name=names[s.member_id])
        for s in open_shifts
    ]


@router.get("/api/shifts/current")
def current_shift(caller: Responder, db: DbDep) -> ShiftOut:
    return ShiftOut.of(shifts.current_shift(db, caller.member_id))


@router.put("/api/shifts/current/location")
def move(body: Position, caller: Responder, db: DbDep, clock: ClockDep) -> ShiftOut:
    shift = shifts.current_shift(db, caller.member_id)
    return ShiftOut.of(shifts.move(db, shift, body.lat, body.lon, now=clock.now()))


@router.post("/api/shifts/current/check-out")
def check_out(caller: Responder, db: DbDep, clock: ClockDep, settings: SettingsDep) -> ShiftOut:
    """End the shift; every location recorded during it is deleted."""
    shift = shifts.current_shift(db, caller.member_id)
    now = clock.now()
    shifts.refuse_if_busy(db, shift)
    offers.release_member(db, caller.member_id, now=now, settings=settings)
    return ShiftOut.of(shifts.check_out(db, shift, now=now))


# --- Offers, as the responder sees them ---------------------------------------------------


@router.get("/api/offers")
def my_offers(caller: Responder, db: DbDep, language: LanguageDep) -> list[OfferForResponder]:
    """Offers waiting for an answer and assignments under way."""
    return [_for_responder(db, o, language) for o in offers.my_offers(db, caller.member_id)]


@router.post("/api/offers/{offer_id}/accept")
def accept(
    offer_id: int,
    caller: Responder,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    language: LanguageDep,
) -> OfferForResponder:
    offer = offers.accept(db, caller.member_id, offer_id, now=clock.now(), settings=settings)
    return _for_responder(db, offer, language)


@router.post("/api/offers/{offer_id}/decline")
def decline(
    offer_id: int,
    caller: Responder,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    language: LanguageDep,
) -> OfferForResponder:
    offer = offers.decline(db, caller.member_id, offer_id, now=clock.now(), settings=settings)
    return _for_responder(db, offer, language)


@router.post("/api/offers/{offer_id}/en-route")
def en_route(
    offer_id: int, caller: Responder, db: DbDep, clock: ClockDep, language: LanguageDep
) -> OfferForResponder:
    offer = offers.advance(db, caller.member_id, offer_id, OfferState.EN_ROUTE, now=clock.now())
    return _for_responder(db, offer, language)


@router.post("/api/offers/{offer_id}/on-scene")
def on_scene(
    offer_id: int, caller: Responder, db: DbDep, clock: ClockDep, language: LanguageDep
) -> OfferForResponder:
    offer = offers.advance(db, caller.member_id, offer_id, OfferState.ON_SCENE, now=clock.now())
    return _for_responder(db, offer, language)


@router.post("/api/offers/{offer_id}/finding")
def finding(
    offer_id: int,
    body: FindingIn,
    caller: Responder,
    db: DbDep,
    clock: ClockDep,
    language: LanguageDep,
) -> OfferForResponder:
    offer = offers.file_finding(
        db,
        caller.member_id,
        offer_id,
        body.finding,
        body.note,
        now=clock.now(),
        report=body.observer_report,
    )
    return _for_responder(db, offer, language)


def _for_responder(db: DbDep, offer: Offer, language: str) -> OfferForResponder:
    incident = db.get(Incident, offer.incident_id)
    assert incident is not None
    return OfferForResponder.of(offer, incident, language)


# --- Verification requests, as the dispatcher sees them -----------------------------------


@router.post("/api/incidents/{incident_id}/dispatch", status_code=status.HTTP_201_CREATED)
def request_verification(
    incident_id: int,
    body: VerificationIn,
    caller: Dispatcher,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> DispatchOut:
    """Move the incident to verifying and offer it to the best responders nearby."""
    needs = Needs(body.legal_observer, body.car, (body.language or "").lower() or None)
    request = requests.request_verification(
        db,
        caller,
        incident_id,
        needs,
        organization_id=body.organization_id,
        now=clock.now(),
        settings=settings,
    )
    return _for_dispatcher(db, request)


@router.get("/api/incidents/{incident_id}/dispatch")
def dispatch_status(incident_id: int, caller: Dispatcher, db: DbDep) -> DispatchOut:
    return _for_dispatcher(db, requests.visible_request(db, caller, incident_id))


@router.post("/api/incidents/{incident_id}/dispatch/cancel")
def cancel(incident_id: int, caller: Dispatcher, db: DbDep, clock: ClockDep) -> DispatchOut:
    """Call the verification off; offers out and assignments under way are withdrawn."""
    return _for_dispatcher(db, requests.cancel(db, caller, incident_id, now=clock.now()))


def _for_dispatcher(db: DbDep, request: DispatchRequest) -> DispatchOut:
    all_offers = requests.offers_of(db, request)
    own = [o.member_id for o in all_offers if o.organization_id == request.organization_id]
    names = _names(db, own)
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


def _names(db: DbDep, member_ids: list[int]) -> dict[int, str]:
    if not member_ids:
        return {}
    rows = db.execute(select(Member.id, Member.display_name).where(Member.id.in_(member_ids)))
    return {row.id: row.display_name for row in rows}
