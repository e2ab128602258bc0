"""The coordinator's admin: members and roles, invites, zones, the audit log."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from vecinos.accounts.models import Organization, Role
from vecinos.maps.view import map_view
from vecinos.web.deps import DbDep, LanguageDep, PathId, SettingsDep
from vecinos.web.policy import Coordinator
from vecinos.web.templating import render
from vecinos.words import words_json

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
        member_id=caller.member_id,
        roles=[r.value for r in grantable],
        roles_json=json.dumps([r.value for r in grantable]),
        map=map_view(settings),
        words=words_json(language, "role", "audit"),
    )
