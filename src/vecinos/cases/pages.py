"""Legal support's pages for follow-up cases: the list, opening one from an incident, a case
with its form, and the encrypted export for a partner. Plain forms (post, then redirect), so
they work without scripts; every page view is an audited read like the API's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from vecinos.cases import service
from vecinos.cases.access import LegalMember
from vecinos.cases.models import CaseStatus
from vecinos.cases.partners import directory
from vecinos.cases.private import PURPOSE
from vecinos.cases.routes import export_response
from vecinos.cases.schemas import CaseIn, CaseUpdate, ExportIn
from vecinos.db import RowId
from vecinos.i18n import N_, gettext
from vecinos.incidents.models import Incident
from vecinos.vocabulary import ACTIVITY_LABELS
from vecinos.web.deps import ClockDep, ContextDep, DbDep, LanguageDep, PathId
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE = "/organizations/{org_id}/cases"
OptionalText = Annotated[str, Form(max_length=4000)]
STATUS_LABELS = {
    CaseStatus.OPEN: N_("Open: locating the person"),
    CaseStatus.REFERRED: N_("Referred to a partner"),
    CaseStatus.RELEASED: N_("Released"),
    CaseStatus.TRANSFERRED: N_("Transferred"),
    CaseStatus.CLOSED: N_("Closed: nothing left to do"),
}


def _or_none(text: str) -> str | None:
    return text.strip() or None


def _statuses(language: str) -> list[tuple[str, str]]:
    return [(s.value, gettext(language, label)) for s, label in STATUS_LABELS.items()]


@router.get(PAGE)
def cases_page(
    org_id: PathId, request: Request, caller: LegalMember, db: DbDep, clock: ClockDep,
    context: ContextDep, language: LanguageDep, incident: RowId | None = None,
) -> Response:  # fmt: skip
    places, sealer = directory(context.settings), context.encryptor(PURPOSE)
    cases = service.list_cases(db, caller, org_id, now=clock.now())
    recent = db.scalars(
        select(Incident)
        .where(Incident.organization_id == org_id)
        .order_by(Incident.opened_at.desc())
        .limit(50)
    ).all()
    return render(
        request, "cases.html", language,
        org_id=org_id, cases=[service.as_out(c, places, sealer) for c in cases],
        incidents=recent, chosen_incident=incident, places=places,
        activities={a.value: gettext(language, t) for a, t in ACTIVITY_LABELS.items()},
        statuses=dict(_statuses(language)), csrf_token=caller.csrf_token,
    )  # fmt: skip


@router.post(PAGE)
def open_case_form(
    org_id: PathId, caller: LegalMember, db: DbDep, clock: ClockDep, context: ContextDep,
    incident_id: Annotated[int, Form()], name: Annotated[str, Form(max_length=80)],
    family_contact: Annotated[str, Form(max_length=200)] = "",
    facility_key: Annotated[str, Form(max_length=64)] = "",
    facility_other: Annotated[str, Form(max_length=200)] = "",
    referral_key: Annotated[str, Form(max_length=64)] = "",
) -> RedirectResponse:  # fmt: skip
    body = CaseIn(
        incident_id=incident_id, name=name, family_contact=_or_none(family_contact),
        facility_key=_or_none(facility_key), facility_other=_or_none(facility_other),
        referral_key=_or_none(referral_key),
    )  # fmt: skip
    case = service.open_case(
        db, caller, org_id, body, directory=directory(context.settings),
        sealer=context.encryptor(PURPOSE), now=clock.now(),
    )  # fmt: skip
    return RedirectResponse(f"/organizations/{org_id}/cases/{case.id}", status_code=303)


@router.get(PAGE + "/{case_id}")
def case_page(
    org_id: PathId, case_id: PathId, request: Request, caller: LegalMember, db: DbDep,
    clock: ClockDep, context: ContextDep, language: LanguageDep,
) -> Response:  # fmt: skip
    places = directory(context.settings)
    case = service.read_case(db, caller, org_id, case_id, now=clock.now())
    return render(
        request, "case.html", language,
        org_id=org_id, case=service.as_out(case, places, context.encryptor(PURPOSE)),
        places=places, statuses=_statuses(language), csrf_token=caller.csrf_token,
    )  # fmt: skip


@router.post(PAGE + "/{case_id}")
def update_case_form(
    org_id: PathId, case_id: PathId, caller: LegalMember, db: DbDep, clock: ClockDep,
    context: ContextDep, name: Annotated[str, Form(max_length=80)],
    status: Annotated[CaseStatus, Form()], family_contact: OptionalText = "",
    facility_key: OptionalText = "", facility_other: OptionalText = "",
    referral_key: OptionalText = "", next_steps: OptionalText = "", notes: OptionalText = "",
) -> RedirectResponse:  # fmt: skip
    body = CaseUpdate(
        name=name, status=status, family_contact=_or_none(family_contact),
        facility_key=_or_none(facility_key), facility_other=_or_none(facility_other),
        referral_key=_or_none(referral_key), next_steps=_or_none(next_steps),
        notes=_or_none(notes),
    )  # fmt: skip
    service.update_case(
        db, caller, org_id, case_id, body, directory=directory(context.settings),
        sealer=context.encryptor(PURPOSE), retention_days=context.settings.case_retention_days,
        now=clock.now(),
    )  # fmt: skip
    return RedirectResponse(f"/organizations/{org_id}/cases/{case_id}", status_code=303)


@router.post(PAGE + "/{case_id}/export")
def export_form(
    org_id: PathId, case_id: PathId, caller: LegalMember, db: DbDep, clock: ClockDep,
    context: ContextDep, partner: Annotated[str, Form(max_length=64)] = "",
    recipient: Annotated[str, Form(max_length=200)] = "",
) -> Response:  # fmt: skip
    body = ExportIn(partner=_or_none(partner), recipient=_or_none(recipient))
    return export_response(db, caller, org_id, case_id, body, clock=clock, context=context)
