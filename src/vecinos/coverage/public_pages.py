"""The public accompaniment request: a resident asks to be accompanied to a hearing or a
check-in. Minimum data, no account; nothing asks for anyone's immigration status."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from vecinos.coverage import accompaniment, sites, wording
from vecinos.coverage.models import AccompanimentKind, SiteKind
from vecinos.coverage.routes import sealer_of
from vecinos.keyring import Vault
from vecinos.web.deps import ClockDep, DbDep, LanguageDep, SettingsDep
from vecinos.web.limits import Limit, RateLimited
from vecinos.web.policy import PUBLIC
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC.dependency()])
PAGE = "/accompaniment"
PLACES = (SiteKind.COURT, SiteKind.IMMIGRATION_OFFICE, SiteKind.OTHER)


@router.get(PAGE)
def request_page(request: Request, db: DbDep, language: LanguageDep) -> Response:
    return render(
        request,
        "accompaniment.html",
        language,
        places=sites.all_sites(db, PLACES),
        kinds=wording.words(wording.ACCOMPANIMENT_KINDS, language),
        site_kinds=wording.words(wording.SITE_KINDS, language),
        sent=None,
    )


@router.post(PAGE)
def request_form(
    request: Request,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    language: LanguageDep,
    sealer: Annotated[Vault, Depends(sealer_of)],
    limit: Annotated[Limit, Depends(RateLimited("accompaniment"))],
    kind: Annotated[AccompanimentKind, Form()],
    on: Annotated[date, Form()],
    at: Annotated[time, Form()],
    site_id: Annotated[int, Form()],
    channel: Annotated[str, Form(max_length=8)],
    contact: Annotated[str, Form(max_length=320)],
    spoken: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    limit.check(_comparable(contact))
    site = sites.site_view(db, site_id)
    ask = accompaniment.Ask(
        kind=kind, at=wording.instant(on, at, settings.alert_timezone), place_kind="landmark",
        place_key=str(site.site.landmark_id), language=spoken or language, channel=channel,
        contact=contact,
    )  # fmt: skip
    row = accompaniment.request(
        db, ask, organization_id=site.site.organization_id, requested_by=None,
        now=clock.now(), settings=settings, sealer=sealer,
    )  # fmt: skip
    return render(
        request,
        "accompaniment.html",
        language,
        places=[],
        kinds=wording.words(wording.ACCOMPANIMENT_KINDS, language),
        site_kinds={},
        sent={
            "when": f"{wording.day(row.at, settings.alert_timezone, language)}, "
            f"{wording.clock_time(row.at, settings.alert_timezone, language)}",
            "place": row.place_name,
        },
    )


def _comparable(contact: str) -> str:
    """One contact however it is typed ("(213) 555-0142", "2135550142"): the limit's source."""
    return "".join(c for c in contact.lower() if c.isalnum() or c in "@.")
