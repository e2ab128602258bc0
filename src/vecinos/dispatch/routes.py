"""Dispatch routes: responders' shifts and offers, dispatchers' verification requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from vecinos.accounts.models import Role
from vecinos.dispatch import offers, requests, shifts
from vecinos.dispatch.models import Offer, OfferState, Shift
from vecinos.dispatch.ranking import Needs
from vecinos.dispatch.schemas import (
    CheckIn,
    DispatchOut,
    FindingIn,
    OfferForResponder,
    Position,
    RosterEntry,
    ShiftOut,
    VerificationIn,
)
from vecinos.dispatch.views import dispatch_out, names_of
from vecinos.geo.distance import haversine_m
from vecinos.geo.gazetteer import public_place
from vecinos.identity import Principal
from vecinos.incidents.models import Incident
from vecinos.web.deps import ClockDep, DbDep, LanguageDep, PathId, SettingsDep
from vecinos.web.policy import AnyOrgRole, OrgRole

router = APIRouter(tags=["dispatch"])
Responder = Annotated[Principal, Depends(AnyOrgRole(Role.RESPONDER))]
ResponderHere = Annotated[Principal, Depends(OrgRole(Role.RESPONDER))]
RosterReader = Annotated[Principal, Depends(OrgRole(Role.DISPATCHER, Role.COORDINATOR))]
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]


# --- Shifts -------------------------------------------------------------------------------


@router.post("/api/organizations/{org_id}/shifts", status_code=status.HTTP_201_CREATED)
def check_in(
    org_id: PathId, body: CheckIn, caller: ResponderHere, db: DbDep, clock: ClockDep
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
def roster(org_id: PathId, caller: RosterReader, db: DbDep) -> list[RosterEntry]:
    """Who is on shift now, and where: for this organization's dispatchers and coordinators."""
    open_shifts = shifts.roster(db, org_id)
    names = names_of(db, [s.member_id for s in open_shifts])
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
    offer_id: PathId,
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
    offer_id: PathId,
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
    offer_id: PathId, caller: Responder, db: DbDep, clock: ClockDep, language: LanguageDep
) -> OfferForResponder:
    offer = offers.advance(db, caller.member_id, offer_id, OfferState.EN_ROUTE, now=clock.now())
    return _for_responder(db, offer, language)


@router.post("/api/offers/{offer_id}/on-scene")
def on_scene(
    offer_id: PathId, caller: Responder, db: DbDep, clock: ClockDep, language: LanguageDep
) -> OfferForResponder:
    offer = offers.advance(db, caller.member_id, offer_id, OfferState.ON_SCENE, now=clock.now())
    return _for_responder(db, offer, language)


@router.post("/api/offers/{offer_id}/finding")
def finding(
    offer_id: PathId,
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
    """The offer with what a volunteer needs to decide: what, where by name, how far."""
    incident = db.get(Incident, offer.incident_id)
    assert incident is not None
    named = public_place(db, incident.lat, incident.lon, organization_id=incident.organization_id)
    shift = db.get(Shift, offer.shift_id) if offer.shift_id else None
    distance = None
    if shift is not None and shift.lat is not None and shift.lon is not None:
        distance = round(haversine_m(shift.lat, shift.lon, incident.lat, incident.lon))
    return OfferForResponder.of(offer, incident, language, place=named.label(), distance_m=distance)


# --- Verification requests, as the dispatcher sees them -----------------------------------


@router.post("/api/incidents/{incident_id}/dispatch", status_code=status.HTTP_201_CREATED)
def request_verification(
    incident_id: PathId,
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
    return dispatch_out(db, request)


@router.get("/api/incidents/{incident_id}/dispatch")
def dispatch_status(incident_id: PathId, caller: Dispatcher, db: DbDep) -> DispatchOut:
    return dispatch_out(db, requests.visible_request(db, caller, incident_id))


@router.post("/api/incidents/{incident_id}/dispatch/cancel")
def cancel(incident_id: PathId, caller: Dispatcher, db: DbDep, clock: ClockDep) -> DispatchOut:
    """Call the verification off; offers out and assignments under way are withdrawn."""
    return dispatch_out(db, requests.cancel(db, caller, incident_id, now=clock.now()))
