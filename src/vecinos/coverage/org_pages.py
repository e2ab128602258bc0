"""The organization's coverage page: the calendar of every slot with its staffing (members of
the organization only), and for coordinators and dispatchers the forms that plan and reach:
a new schedule, a site, a broadcast, an accompaniment asked on someone's behalf."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from vecinos.accounts.models import Organization, Role
from vecinos.accounts.principal import Principal
from vecinos.coverage import accompaniment, broadcast, calendar, schedules, sites, wording
from vecinos.coverage.models import AccompanimentKind, SiteKind
from vecinos.coverage.routes import sealer_of
from vecinos.coverage.schedules import ScheduleFields
from vecinos.geo.models import Landmark
from vecinos.geo.zones import zones_of
from vecinos.i18n import INTERFACE_LANGUAGES
from vecinos.keyring import Vault
from vecinos.training.models import Duty, VettingLevel
from vecinos.web.deps import ClockDep, DbDep, LanguageDep, PathId, SettingsDep
from vecinos.web.policy import Coordinator, OrgRole
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)
InOrg = Annotated[Principal, Depends(OrgRole(*Role))]
Dispatcher = Annotated[Principal, Depends(OrgRole(Role.DISPATCHER, Role.COORDINATOR))]
PAGE = "/organizations/{org_id}/coverage"
Text = Annotated[str, Form(max_length=240)]
DAYS_SHOWN = 7


def back(org_id: int, anchor: str = "") -> RedirectResponse:
    where = PAGE.format(org_id=org_id) + (f"#{anchor}" if anchor else "")
    return RedirectResponse(where, status_code=303)


@router.get(PAGE)
def coverage_page(
    org_id: PathId,
    request: Request,
    caller: InOrg,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    language: LanguageDep,
    start: Annotated[date | None, Query()] = None,
    sent: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    zone = settings.alert_timezone
    today = wording.local(clock.now(), zone).date()
    first = start or today
    begin = wording.instant(first, time(0), zone)
    views = calendar.calendar(db, org_id, begin, begin + timedelta(days=DAYS_SHOWN))
    by_day: dict[str, list[calendar.SlotView]] = defaultdict(list)
    for view in views:
        by_day[wording.day(view.slot.starts_at, view.schedule.timezone, language)].append(view)
    roles = caller.roles_in(org_id)
    name = db.scalar(select(Organization.name).where(Organization.id == org_id)) or ""
    site_views = sites.sites_of(db, org_id)
    is_dispatcher = bool(roles & {Role.DISPATCHER, Role.COORDINATOR})
    return render(
        request,
        "coverage_org.html",
        language,
        org_id=org_id,
        organization=name,
        days=dict(by_day),
        short=sum(v.short_by for v in views),
        week_before=(first - timedelta(days=DAYS_SHOWN)).isoformat(),
        week_after=(first + timedelta(days=DAYS_SHOWN)).isoformat(),
        coordinator=Role.COORDINATOR in roles,
        dispatcher=is_dispatcher,
        zones=zones_of(db, org_id),
        sites=site_views,
        free_landmarks=_landmarks_without_site(db, org_id, site_views),
        requests=accompaniment.of_organization(db, org_id) if Role.DISPATCHER in roles else [],
        site_kinds=wording.words(wording.SITE_KINDS, language),
        duties=wording.words(wording.DUTIES, language),
        levels=wording.words(wording.LEVELS, language),
        weekdays=wording.words(wording.WEEKDAY_NAMES, language),
        accompaniment_kinds=wording.words(wording.ACCOMPANIMENT_KINDS, language),
        languages=INTERFACE_LANGUAGES,
        fmt=wording,
        local_zone=zone,
        today=today.isoformat(),
        sent=sent,
        csrf_token=caller.csrf_token,
    )


def _landmarks_without_site(
    db: DbDep, org_id: int, existing: list[sites.SiteView]
) -> list[Landmark]:
    taken = {v.site.landmark_id for v in existing}
    found = db.scalars(
        select(Landmark).where(Landmark.organization_id == org_id).order_by(Landmark.name)
    )
    return [lm for lm in found if lm.id not in taken]


@router.post(PAGE + "/schedules")
def schedule_form(
    org_id: PathId,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    title: Text,
    starts_on: Annotated[date, Form()],
    start_time: Annotated[time, Form()],
    duration_minutes: Annotated[int, Form()],
    needed: Annotated[int, Form()],
    weekdays: Annotated[list[str] | None, Form(max_length=7)] = None,
    place: Annotated[str, Form(max_length=24)] = "",
    duty: Annotated[Duty | None, Form()] = None,
    min_level: Annotated[VettingLevel, Form()] = VettingLevel.NEW,
) -> RedirectResponse:
    kind, _, key = place.partition(":")
    fields = ScheduleFields(
        title=title,
        starts_on=starts_on,
        start_time=start_time,
        duration_minutes=duration_minutes,
        needed=needed,
        weekdays=tuple(weekdays or ()),
        zone_id=int(key) if kind == "zone" and key.isdigit() else None,
        site_id=int(key) if kind == "site" and key.isdigit() else None,
        duty=duty,
        min_level=min_level,
    )
    schedules.create_schedule(
        db, org_id, fields, actor_id=caller.member_id, now=clock.now(),
        horizon_days=settings.coverage_horizon_days, default_timezone=settings.alert_timezone,
    )  # fmt: skip
    return back(org_id)


@router.post(PAGE + "/sites")
def site_form(
    org_id: PathId,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    landmark_id: Annotated[int, Form()],
    kind: Annotated[SiteKind, Form()],
) -> RedirectResponse:
    sites.create_site(db, org_id, landmark_id, kind, now=clock.now())
    return back(org_id, "sites")


@router.post(PAGE + "/broadcasts")
def broadcast_form(
    org_id: PathId,
    caller: Dispatcher,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    place: Annotated[str, Form(max_length=24)],
    text: Annotated[str, Form(max_length=broadcast.TEXT_MAX * 2)],
) -> RedirectResponse:
    kind, _, key = place.partition(":")
    number = int(key) if key.isdigit() else 0
    row = broadcast.send(
        db, org_id, text, sender_id=caller.member_id,
        zone_id=number if kind == "zone" else None, site_id=number if kind == "site" else None,
        now=clock.now(), settings=settings,
    )  # fmt: skip
    where = f"{PAGE.format(org_id=org_id)}?sent={row.recipients}#broadcast"
    return RedirectResponse(where, status_code=303)


@router.post(PAGE + "/accompaniments")
def accompaniment_form(
    org_id: PathId,
    caller: Annotated[Principal, Depends(OrgRole(Role.DISPATCHER))],
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    sealer: Annotated[Vault, Depends(sealer_of)],
    kind: Annotated[AccompanimentKind, Form()],
    on: Annotated[date, Form()],
    at: Annotated[time, Form()],
    site_id: Annotated[int, Form()],
    language: Annotated[str, Form(max_length=16)],
    channel: Annotated[str, Form(max_length=8)],
    contact: Annotated[str, Form(max_length=320)],
    note: Annotated[str, Form(max_length=1000)] = "",
) -> RedirectResponse:
    site = sites.site_view(db, site_id, org_id)
    ask = accompaniment.Ask(
        kind=kind, at=wording.instant(on, at, settings.alert_timezone),
        place_kind="landmark", place_key=str(site.site.landmark_id), language=language,
        channel=channel, contact=contact, note=note or None,
    )  # fmt: skip
    accompaniment.request(
        db, ask, organization_id=org_id, requested_by=caller.member_id, now=clock.now(),
        settings=settings, sealer=sealer,
    )  # fmt: skip
    return back(org_id, "accompaniment")
