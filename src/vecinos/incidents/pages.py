"""The dispatcher console: live board, map, incident detail, verification, hotline intake."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from vecinos.accounts.models import Role
from vecinos.accounts.principal import Principal
from vecinos.i18n import gettext
from vecinos.incidents.service import ALLOWED
from vecinos.reports.pages import ACTIVITY_LABELS, AGENCY_LABELS, area_center
from vecinos.web.deps import LanguageDep, SettingsDep
from vecinos.web.policy import AnyOrgRole
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]


def _labels(language: str) -> dict[str, str]:
    return {a.value: gettext(language, label) for a, label in ACTIVITY_LABELS.items()}


@router.get("/dispatch")
def console(
    request: Request, caller: Dispatcher, language: LanguageDep, settings: SettingsDep
) -> Response:
    return render(
        request,
        "console.html",
        language,
        csrf_token=caller.csrf_token,
        member_id=caller.member_id,
        activity_labels=json.dumps(_labels(language)),
        organizations=json.dumps(sorted(caller.organizations_where(Role.DISPATCHER))),
        # The composer enables only the buttons of the moves a state allows.
        transitions_json=json.dumps(
            {s.value: sorted(t.value for t in to) for s, to in ALLOWED.items()}
        ),
        center=area_center(settings.service_area_geojson),
        tile_url=settings.map_tile_url,
        tile_attribution=settings.map_tile_attribution,
    )


@router.get("/dispatch/hotline")
def hotline(request: Request, caller: Dispatcher, language: LanguageDep) -> Response:
    return render(
        request,
        "hotline.html",
        language,
        csrf_token=caller.csrf_token,
        activities=[(a.value, gettext(language, label)) for a, label in ACTIVITY_LABELS.items()],
        agencies=[(a.value, gettext(language, label)) for a, label in AGENCY_LABELS.items()],
    )
