"""The coordinator's admin: members and roles, invites, zones, the audit log."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from vecinos.accounts.models import Organization, Role
from vecinos.reports.pages import area_center
from vecinos.web.deps import DbDep, LanguageDep, PathId, SettingsDep
from vecinos.web.policy import Coordinator
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/{org_id}")
def admin(
    org_id: PathId,
    request: Request,
    caller: Coordinator,
    db: DbDep,
    language: LanguageDep,
    settings: SettingsDep,
) -> Response:
    organization = db.scalar(select(Organization).where(Organization.id == org_id))
    assert organization is not None  # the policy admitted a coordinator of this organization
    grantable = [r for r in Role if r is not Role.ADMIN or caller.is_coalition_admin]
    return render(
        request,
        "admin.html",
        language,
        organization=organization,
        csrf_token=caller.csrf_token,
        roles=[r.value for r in grantable],
        roles_json=json.dumps([r.value for r in grantable]),
        center=area_center(settings.service_area_geojson),
        tile_url=settings.map_tile_url,
        tile_attribution=settings.map_tile_attribution,
    )
