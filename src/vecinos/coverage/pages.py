"""The volunteer's page: their shifts with one-tap check-in, open slots they can fill, swaps
and accompaniment offers waiting for an answer, and where to reach them. Plain forms (post,
then redirect back), so every action works without scripts."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from vecinos.accounts.models import Member, Role
from vecinos.accounts.principal import Principal
from vecinos.alerts.pages import vapid_public_key
from vecinos.coverage import accompaniment, calendar, contacts, signups, swaps, wording
from vecinos.coverage.models import Signup
from vecinos.coverage.routes import sealer_of
from vecinos.dispatch import shifts
from vecinos.i18n import INTERFACE_LANGUAGES
from vecinos.keyring import Vault
from vecinos.web.deps import ClockDep, DbDep, LanguageDep, PathId, SettingsDep
from vecinos.web.policy import AnyOrgRole
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)
Responder = Annotated[Principal, Depends(AnyOrgRole(Role.RESPONDER))]
PAGE = "/coverage"
OPEN_DAYS_SHOWN = 7  # the open slots listed: the coming week, what people plan around


def back(anchor: str = "") -> RedirectResponse:
    return RedirectResponse(PAGE + (f"#{anchor}" if anchor else ""), status_code=303)


@router.get(PAGE)
def volunteer_page(
    request: Request,
    caller: Responder,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    language: LanguageDep,
) -> Response:
    now = clock.now()
    organizations = sorted(caller.organizations_where(Role.RESPONDER))
    horizon = now + timedelta(days=OPEN_DAYS_SHOWN)
    mine = calendar.my_places(db, caller.member_id, now)
    early = timedelta(minutes=settings.coverage_check_in_early_minutes)
    shift = shifts.open_shift_of(db, caller.member_id)
    waiting = swaps.waiting_for(db, caller.member_id)
    swap_signups = {
        s.id: s
        for s in db.scalars(select(Signup).where(Signup.id.in_([w.signup_id for w in waiting])))
    }
    return render(
        request,
        "coverage.html",
        language,
        mine=mine,
        open_slots=calendar.fillable(db, caller.member_id, organizations, now, horizon),
        can_check_in={v.slot.id: v.slot.starts_at - early <= now < v.slot.ends_at for v in mine},
        can_withdraw={
            v.slot.id: now < v.slot.starts_at and not (v.mine and v.mine.checked_in_at)
            for v in mine
        },
        on_shift=shift is not None,
        swaps=waiting,
        swap_signups=swap_signups,
        colleagues=_colleagues(db, organizations, caller.member_id),
        offers=accompaniment.my_offers(db, caller.member_id, now),
        channels={c.channel: c for c in contacts.channels_of(db, caller.member_id)},
        preferences=contacts.preferences_of(db, caller.member_id),
        languages=INTERFACE_LANGUAGES,
        push_key=vapid_public_key(settings.vapid_private_key.get_secret_value()),
        kinds=wording.words(wording.ACCOMPANIMENT_KINDS, language),
        fmt=wording,
        local_zone=settings.alert_timezone,
        me=caller.member_id,
        csrf_token=caller.csrf_token,
    )


def _colleagues(db: DbDep, organizations: list[int], me: int) -> dict[int, str]:
    """Volunteers of the caller's organizations, to choose whom to swap with."""
    from vecinos.accounts.models import RoleGrant

    rows = db.execute(
        select(Member.id, Member.display_name)
        .join(RoleGrant, RoleGrant.member_id == Member.id)
        .where(
            RoleGrant.organization_id.in_(organizations),
            RoleGrant.role == Role.RESPONDER.value,
            Member.id != me,
        )
        .order_by(Member.display_name)
    )
    return {row.id: row.display_name for row in rows}


@router.post(PAGE + "/slots/{slot_id}/signup")
def sign_up_form(
    slot_id: PathId,
    caller: Responder,
    db: DbDep,
    clock: ClockDep,
) -> RedirectResponse:
    slot = signups.slot_in(db, _organization_of_slot(db, slot_id, caller), slot_id)
    signup = signups.sign_up(db, caller.member_id, slot, now=clock.now())
    return back(f"signup-{signup.id}")


def _organization_of_slot(db: DbDep, slot_id: PathId, caller: Principal) -> int:
    """The slot's organization if the caller volunteers there (else the slot is not found)."""
    from vecinos.coverage.models import Slot

    organization = db.scalar(select(Slot.organization_id).where(Slot.id == slot_id))
    mine = caller.organizations_where(Role.RESPONDER)
    return organization if organization in mine else 0


@router.post(PAGE + "/signups/{signup_id}/withdraw")
def withdraw_form(
    signup_id: PathId, caller: Responder, db: DbDep, clock: ClockDep
) -> RedirectResponse:
    signups.withdraw(db, caller.member_id, signup_id, now=clock.now())
    return back()


@router.post(PAGE + "/signups/{signup_id}/check-in")
def check_in_form(
    signup_id: PathId,
    caller: Responder,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    lat: Annotated[float | None, Form(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Form(ge=-180, le=180)] = None,
) -> RedirectResponse:
    position = (lat, lon) if lat is not None and lon is not None else None
    signups.check_in(
        db, caller.member_id, signup_id, position=position, now=clock.now(), settings=settings
    )
    return back(f"signup-{signup_id}")


@router.post(PAGE + "/signups/{signup_id}/swap")
def swap_form(
    signup_id: PathId,
    caller: Responder,
    db: DbDep,
    clock: ClockDep,
    to_member_id: Annotated[int, Form()],
) -> RedirectResponse:
    swaps.propose(db, caller.member_id, signup_id, to_member_id, None, now=clock.now())
    return back(f"signup-{signup_id}")


@router.post(PAGE + "/swaps/{swap_id}/{answer}")
def answer_swap_form(
    swap_id: PathId, answer: str, caller: Responder, db: DbDep, clock: ClockDep
) -> RedirectResponse:
    if answer == "accept":
        swaps.accept(db, caller.member_id, swap_id, now=clock.now())
    else:
        swaps.decline(db, caller.member_id, swap_id, now=clock.now())
    return back()


@router.post(PAGE + "/accompaniment-offers/{offer_id}/{answer}")
def answer_accompaniment_form(
    offer_id: PathId,
    answer: str,
    caller: Responder,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    opener: Annotated[Vault, Depends(sealer_of)],
) -> RedirectResponse:
    if answer == "accept":
        accompaniment.accept(
            db, caller.member_id, offer_id, now=clock.now(), settings=settings, opener=opener
        )
    else:
        accompaniment.decline(db, caller.member_id, offer_id, now=clock.now())
    return back("accompaniment")


@router.post(PAGE + "/contacts")
def contact_form(
    caller: Responder,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    channel: Annotated[str, Form(max_length=8)],
    contact: Annotated[str, Form(max_length=320)],
    language: Annotated[str, Form(max_length=16)],
) -> RedirectResponse:
    contacts.set_contact(
        db, caller.member_id, channel, contact, language, settings=settings, now=clock.now()
    )
    return back("reminders")


@router.post(PAGE + "/preferences")
def preferences_form(
    caller: Responder,
    db: DbDep,
    languages: Annotated[str, Form(max_length=200)] = "",
    wants_short_notices: Annotated[str, Form(max_length=8)] = "",
) -> RedirectResponse:
    spoken = [code for code in languages.replace(",", " ").split() if code]
    contacts.set_preferences(db, caller.member_id, spoken, bool(wants_short_notices))
    return back("reminders")
