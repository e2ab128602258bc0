"""Coverage API: sites and schedules (coordinators), the calendar (the organization), sign-ups,
swaps and check-in (volunteers), members' own contacts, broadcasts and accompaniment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from vecinos import keyring
from vecinos.accounts.models import Role
from vecinos.accounts.principal import Principal
from vecinos.coverage import (
    accompaniment,
    broadcast,
    calendar,
    contacts,
    schedules,
    signups,
    sites,
    swaps,
)
from vecinos.coverage.accompaniment import Ask
from vecinos.coverage.models import Accompaniment, Schedule, Signup, Swap
from vecinos.coverage.schemas import (
    AccompanimentDetail,
    AccompanimentIn,
    AccompanimentOfferOut,
    AccompanimentOut,
    BroadcastIn,
    BroadcastOut,
    CheckInIn,
    ContactIn,
    PreferencesIn,
    ScheduleIn,
    ScheduleOut,
    SignupOut,
    SiteIn,
    SiteOut,
    SlotOut,
    SwapIn,
    SwapOut,
)
from vecinos.dispatch.schemas import ShiftOut
from vecinos.keyring import Vault
from vecinos.web.deps import ClockDep, DbDep, LanguageDep, PathId, SettingsDep
from vecinos.web.policy import PUBLIC, AnyOrgRole, Coordinator, OrgRole, SignedInMember

router = APIRouter(tags=["coverage"])
InOrg = Annotated[Principal, Depends(OrgRole(*Role))]
ResponderHere = Annotated[Principal, Depends(OrgRole(Role.RESPONDER))]
Responder = Annotated[Principal, Depends(AnyOrgRole(Role.RESPONDER))]
Dispatcher = Annotated[Principal, Depends(OrgRole(Role.DISPATCHER))]
Reaching = Annotated[Principal, Depends(OrgRole(Role.DISPATCHER, Role.COORDINATOR))]
MAX_CALENDAR_DAYS = 42


def sealer_of(settings: SettingsDep) -> Vault:
    """Accompaniment requesters' contacts and notes: the keyring's hourly purge keys."""
    return keyring.accompaniments(settings)


# --- Sites and schedules ------------------------------------------------------------------


@router.get("/api/organizations/{org_id}/sites")
def list_sites(org_id: PathId, caller: InOrg, db: DbDep) -> list[SiteOut]:
    return [SiteOut.of(v) for v in sites.sites_of(db, org_id)]


@router.post("/api/organizations/{org_id}/sites", status_code=status.HTTP_201_CREATED)
def create_site(
    org_id: PathId, body: SiteIn, caller: Coordinator, db: DbDep, clock: ClockDep
) -> SiteOut:
    site = sites.create_site(
        db, org_id, body.landmark_id, body.kind, radius_m=body.radius_m, now=clock.now()
    )
    return SiteOut.of(sites.site_view(db, site.id))


@router.get("/api/sites", dependencies=[PUBLIC.dependency()])
def public_sites(db: DbDep, language: LanguageDep) -> list[SiteOut]:
    """Every site: public places (a school, a court) residents may subscribe to."""
    return [SiteOut.of(v, language) for v in sites.all_sites(db)]


def _schedule_out(schedule: Schedule) -> ScheduleOut:
    return ScheduleOut(
        id=schedule.id,
        title=schedule.title,
        rrule=schedule.rrule,
        timezone=schedule.timezone,
        start_time=schedule.start_time,
        duration_minutes=schedule.duration_minutes,
        needed=schedule.needed,
        zone_id=schedule.zone_id,
        site_id=schedule.site_id,
        duty=schedule.duty,
        min_level=schedule.min_level,
    )


@router.get("/api/organizations/{org_id}/schedules")
def list_schedules(org_id: PathId, caller: InOrg, db: DbDep) -> list[ScheduleOut]:
    return [_schedule_out(s) for s in schedules.schedules(db, org_id)]


@router.post("/api/organizations/{org_id}/schedules", status_code=status.HTTP_201_CREATED)
def create_schedule(
    org_id: PathId,
    body: ScheduleIn,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> ScheduleOut:
    schedule = schedules.create_schedule(
        db, org_id, body.fields(), actor_id=caller.member_id, now=clock.now(),
        horizon_days=settings.coverage_horizon_days, default_timezone=settings.alert_timezone,
    )  # fmt: skip
    return _schedule_out(schedule)


@router.delete(
    "/api/organizations/{org_id}/schedules/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT
)
def retire_schedule(
    org_id: PathId, schedule_id: PathId, caller: Coordinator, db: DbDep, clock: ClockDep
) -> None:
    schedules.retire(db, schedules.schedule_of(db, org_id, schedule_id), now=clock.now())


@router.get("/api/organizations/{org_id}/calendar")
def coverage_calendar(
    org_id: PathId,
    caller: InOrg,
    db: DbDep,
    clock: ClockDep,
    start: datetime | None = None,
    days: Annotated[int, Query(ge=1, le=MAX_CALENDAR_DAYS)] = 7,
) -> list[SlotOut]:
    """Each slot's staffing and who is on it: for members of this organization only."""
    begin = start or clock.now()
    views = calendar.calendar(db, org_id, begin, begin + timedelta(days=days), caller.member_id)
    return [SlotOut.of(v) for v in views]


# --- Volunteers -------------------------------------------------------------------------------


def _signup_out(signup: Signup) -> SignupOut:
    return SignupOut(
        id=signup.id,
        slot_id=signup.slot_id,
        starts_at=signup.starts_at,
        ends_at=signup.ends_at,
        checked_in_at=signup.checked_in_at,
    )


@router.post(
    "/api/organizations/{org_id}/slots/{slot_id}/signups", status_code=status.HTTP_201_CREATED
)
def sign_up(
    org_id: PathId, slot_id: PathId, caller: ResponderHere, db: DbDep, clock: ClockDep
) -> SignupOut:
    slot = signups.slot_in(db, org_id, slot_id)
    return _signup_out(signups.sign_up(db, caller.member_id, slot, now=clock.now()))


@router.delete("/api/signups/{signup_id}", status_code=status.HTTP_204_NO_CONTENT)
def withdraw(signup_id: PathId, caller: Responder, db: DbDep, clock: ClockDep) -> None:
    signups.withdraw(db, caller.member_id, signup_id, now=clock.now())


@router.post("/api/signups/{signup_id}/check-in")
def check_in(
    signup_id: PathId,
    body: CheckInIn,
    caller: Responder,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> ShiftOut:
    position = (body.lat, body.lon) if body.lat is not None and body.lon is not None else None
    shift = signups.check_in(
        db, caller.member_id, signup_id, position=position, now=clock.now(), settings=settings
    )
    return ShiftOut.of(shift)


def _swap_out(swap: Swap) -> SwapOut:
    return SwapOut(
        id=swap.id,
        signup_id=swap.signup_id,
        from_member_id=swap.from_member_id,
        to_member_id=swap.to_member_id,
        exchange_signup_id=swap.exchange_signup_id,
        state=swap.state,
    )


@router.post("/api/signups/{signup_id}/swaps", status_code=status.HTTP_201_CREATED)
def propose_swap(
    signup_id: PathId, body: SwapIn, caller: Responder, db: DbDep, clock: ClockDep
) -> SwapOut:
    swap = swaps.propose(
        db, caller.member_id, signup_id, body.to_member_id, body.exchange_signup_id,
        now=clock.now(),
    )  # fmt: skip
    return _swap_out(swap)


@router.post("/api/swaps/{swap_id}/accept")
def accept_swap(swap_id: PathId, caller: Responder, db: DbDep, clock: ClockDep) -> SwapOut:
    return _swap_out(swaps.accept(db, caller.member_id, swap_id, now=clock.now()))


@router.post("/api/swaps/{swap_id}/decline")
def decline_swap(swap_id: PathId, caller: Responder, db: DbDep, clock: ClockDep) -> SwapOut:
    return _swap_out(swaps.decline(db, caller.member_id, swap_id, now=clock.now()))


@router.get("/api/me/coverage")
def my_coverage(
    caller: Responder, db: DbDep, clock: ClockDep, settings: SettingsDep
) -> dict[str, list[SlotOut]]:
    now = clock.now()
    organizations = sorted(caller.organizations_where(Role.RESPONDER))
    horizon = now + timedelta(days=settings.coverage_horizon_days)
    return {
        "mine": [SlotOut.of(v) for v in calendar.my_places(db, caller.member_id, now)],
        "open": [
            SlotOut.of(v)
            for v in calendar.fillable(db, caller.member_id, organizations, now, horizon)
        ],
    }


@router.put("/api/me/contacts/{channel}", status_code=status.HTTP_204_NO_CONTENT)
def set_contact(
    channel: str,
    body: ContactIn,
    caller: SignedInMember,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> None:
    push = body.push_subscription.model_dump() if body.push_subscription else None
    contacts.set_contact(
        db,
        caller.member_id,
        channel,
        body.contact,
        body.language,
        settings=settings,
        now=clock.now(),
        push=push,
    )


@router.delete("/api/me/contacts/{channel}", status_code=status.HTTP_204_NO_CONTENT)
def remove_contact(channel: str, caller: SignedInMember, db: DbDep) -> None:
    contacts.remove_contact(db, caller.member_id, channel)


@router.get("/api/me/contacts")
def my_channels(caller: SignedInMember, db: DbDep) -> list[dict[str, str]]:
    """Which channels are set, never the contacts themselves (they are sealed)."""
    return [
        {"channel": c.channel, "language": c.language}
        for c in contacts.channels_of(db, caller.member_id)
    ]


@router.put("/api/me/coverage-preferences", status_code=status.HTTP_204_NO_CONTENT)
def set_preferences(body: PreferencesIn, caller: SignedInMember, db: DbDep) -> None:
    contacts.set_preferences(db, caller.member_id, body.languages, body.wants_short_notices)


# --- Accompaniment ----------------------------------------------------------------------------


def _ask(body: AccompanimentIn) -> Ask:
    return Ask(
        kind=body.kind,
        at=body.at,
        place_kind=body.place.kind,
        place_key=body.place.key,
        language=body.language,
        channel=body.channel,
        contact=body.contact,
        note=body.note,
        needed=body.needed,
    )


def _accompaniment_out(row: Accompaniment) -> AccompanimentOut:
    return AccompanimentOut(
        id=row.id,
        kind=row.kind,
        at=row.at,
        place=row.place_name,
        language=row.language,
        state=row.state,
        needed=row.needed,
        accepted=row.accepted,
    )


def _detail(row: Accompaniment, opener: Vault) -> AccompanimentDetail:
    note = opener.open(row.note_encrypted) if row.note_encrypted else None
    return AccompanimentDetail(
        **_accompaniment_out(row).model_dump(),
        channel=row.channel,
        contact=opener.open(row.contact_encrypted),
        note=note,
    )


@router.post("/api/organizations/{org_id}/broadcasts", status_code=status.HTTP_201_CREATED)
def send_broadcast(
    org_id: PathId,
    body: BroadcastIn,
    caller: Reaching,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> BroadcastOut:
    """A short text to everyone on shift in a zone or signed up for a site now, queued in the
    outbox (sent by the delivery engine, never from here)."""
    row = broadcast.send(
        db, org_id, body.text, sender_id=caller.member_id, zone_id=body.zone_id,
        site_id=body.site_id, now=clock.now(), settings=settings,
    )  # fmt: skip
    return BroadcastOut(id=row.id, recipients=row.recipients, created_at=row.created_at)


@router.post("/api/organizations/{org_id}/accompaniments", status_code=status.HTTP_201_CREATED)
def request_for_someone(
    org_id: PathId,
    body: AccompanimentIn,
    caller: Dispatcher,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    sealer: Annotated[Vault, Depends(sealer_of)],
) -> AccompanimentOut:
    """Staff on a resident's behalf (a call to the hotline, a visit)."""
    row = accompaniment.request(
        db, _ask(body), organization_id=org_id, requested_by=caller.member_id,
        now=clock.now(), settings=settings, sealer=sealer,
    )  # fmt: skip
    return _accompaniment_out(row)


@router.get("/api/organizations/{org_id}/accompaniments")
def list_accompaniments(
    org_id: PathId,
    caller: Dispatcher,
    db: DbDep,
    sealer: Annotated[Vault, Depends(sealer_of)],
) -> list[AccompanimentDetail]:
    return [_detail(r, sealer) for r in accompaniment.of_organization(db, org_id)]


@router.get("/api/accompaniments/{accompaniment_id}")
def one_accompaniment(
    accompaniment_id: PathId,
    caller: SignedInMember,
    db: DbDep,
    sealer: Annotated[Vault, Depends(sealer_of)],
) -> AccompanimentDetail:
    return _detail(accompaniment.visible(db, caller, accompaniment_id), sealer)


@router.get("/api/me/accompaniment-offers")
def my_accompaniment_offers(
    caller: Responder, db: DbDep, clock: ClockDep
) -> list[AccompanimentOfferOut]:
    return [
        AccompanimentOfferOut(id=o.id, state=o.state, accompaniment=_accompaniment_out(r))
        for o, r in accompaniment.my_offers(db, caller.member_id, clock.now())
    ]


@router.post("/api/accompaniment-offers/{offer_id}/accept")
def accept_accompaniment(
    offer_id: PathId,
    caller: Responder,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    sealer: Annotated[Vault, Depends(sealer_of)],
) -> AccompanimentDetail:
    row = accompaniment.accept(
        db, caller.member_id, offer_id, now=clock.now(), settings=settings, opener=sealer
    )
    return _detail(row, sealer)


@router.post("/api/accompaniment-offers/{offer_id}/decline")
def decline_accompaniment(
    offer_id: PathId, caller: Responder, db: DbDep, clock: ClockDep
) -> dict[str, str]:
    offer = accompaniment.decline(db, caller.member_id, offer_id, now=clock.now())
    return {"state": offer.state}
