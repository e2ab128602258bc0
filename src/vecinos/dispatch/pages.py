"""The responder app: check in, share location only while on shift, answer offers, report."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from vecinos.accounts.models import Organization, Role
from vecinos.dispatch import shifts
from vecinos.dispatch.observer_labels import form_choices
from vecinos.dispatch.schemas import GUIDANCE
from vecinos.i18n import gettext
from vecinos.identity import Principal
from vecinos.rights.audio import megaphone_script
from vecinos.rights.kit import load_kit
from vecinos.vocabulary import ACTIVITY_LABELS
from vecinos.web.deps import DbDep, LanguageDep, SettingsDep
from vecinos.web.policy import AnyOrgRole
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)
Responder = Annotated[Principal, Depends(AnyOrgRole(Role.RESPONDER))]


@router.get("/responder")
def responder_app(
    request: Request, caller: Responder, db: DbDep, language: LanguageDep, settings: SettingsDep
) -> Response:
    org_ids = sorted(caller.organizations_where(Role.RESPONDER))
    organizations = db.scalars(select(Organization).where(Organization.id.in_(org_ids))).all()
    names = {o.id: o.name for o in organizations}
    shift = shifts.open_shift_of(db, caller.member_id)
    kit = load_kit(settings)
    return render(
        request,
        "responder.html",
        language,
        organizations=[(org, names[org]) for org in org_ids],
        radio_channels=[c for o in organizations for c in o.radio_channels or []],
        on_shift=shift is not None,
        csrf_token=caller.csrf_token,
        guidance=gettext(language, GUIDANCE),
        megaphone=megaphone_script(kit, kit.resolve(language) or "en"),
        observer=form_choices(language),
        activity_labels=json.dumps(
            {a.value: gettext(language, label) for a, label in ACTIVITY_LABELS.items()}
        ),
    )
