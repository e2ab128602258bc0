"""The evidence page of an incident: its media with their hashes, public copies, originals for
those who may open them, and — for legal support — the signed export and the legal hold."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from vecinos.accounts.models import Role
from vecinos.evidence import access, holds
from vecinos.evidence.models import LegalHold, Media
from vecinos.i18n import N_, gettext
from vecinos.identity import Principal
from vecinos.web.deps import ClockDep, DbDep, LanguageDep, PathId
from vecinos.web.policy import AnyOrgRole, SignedInMember
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)
Legal = Annotated[Principal, Depends(AnyOrgRole(Role.LEGAL))]


@router.get("/evidence/incidents/{incident_id}")
def evidence_page(
    incident_id: PathId, request: Request, caller: SignedInMember, db: DbDep, language: LanguageDep
) -> Response:
    incident = access.for_viewing(db, caller, incident_id)
    media = db.scalars(select(Media).where(Media.incident_id == incident.id).order_by(Media.id))
    owner = incident.organization_id
    return render(
        request,
        "evidence.html",
        language,
        incident=incident,
        media=[(m, access.may_see_original(caller, m)) for m in media],
        hold=db.get(LegalHold, incident.id),
        is_legal=owner is not None and caller.has_role(owner, Role.LEGAL),
        csrf_token=caller.csrf_token,
    )


@router.post("/evidence/incidents/{incident_id}/hold")
def hold_form(
    incident_id: PathId,
    caller: Legal,
    db: DbDep,
    clock: ClockDep,
    language: LanguageDep,
    action: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=200)] = "",
) -> RedirectResponse:
    incident = access.for_legal(db, caller, incident_id)
    assert incident.organization_id is not None  # for_legal refuses incidents nobody owns
    now, actor = clock.now(), caller.member_id
    if action == "place":
        text = reason.strip() or gettext(language, N_("legal hold"))
        holds.place(db, incident.id, incident.organization_id, text, actor_id=actor, now=now)
    else:
        holds.release(db, incident.id, incident.organization_id, actor_id=actor, now=now)
    return RedirectResponse(f"/evidence/incidents/{incident.id}", status_code=303)
