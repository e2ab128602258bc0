"""Follow-up case routes, for the legal role of the organization in the URL only."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from vecinos.accounts import audit
from vecinos.accounts.models import Organization
from vecinos.cases import export, service
from vecinos.cases.access import LegalMember
from vecinos.cases.partners import directory
from vecinos.cases.private import PURPOSE
from vecinos.cases.schemas import CaseIn, CaseOut, CaseUpdate, ExportIn
from vecinos.clock import Clock
from vecinos.identity import Principal
from vecinos.web.deps import AppContext, ClockDep, ContextDep, DbDep, PathId, SettingsDep

router = APIRouter(tags=["cases"])
BASE = "/api/organizations/{org_id}/cases"


@router.post(BASE, status_code=status.HTTP_201_CREATED)
def open_case(
    org_id: PathId, body: CaseIn, caller: LegalMember, db: DbDep, clock: ClockDep,
    context: ContextDep,
) -> CaseOut:  # fmt: skip
    """Open a follow-up case for someone taken at one of this organization's incidents."""
    places, sealer = directory(context.settings), context.encryptor(PURPOSE)
    case = service.open_case(
        db, caller, org_id, body, directory=places, sealer=sealer, now=clock.now()
    )
    return service.as_out(case, places, sealer)


@router.get(BASE)
def list_cases(
    org_id: PathId, caller: LegalMember, db: DbDep, clock: ClockDep, context: ContextDep
) -> list[CaseOut]:
    places, sealer = directory(context.settings), context.encryptor(PURPOSE)
    cases = service.list_cases(db, caller, org_id, now=clock.now())
    return [service.as_out(case, places, sealer) for case in cases]


@router.get(BASE + "/{case_id}")
def read_case(
    org_id: PathId, case_id: PathId, caller: LegalMember, db: DbDep, clock: ClockDep,
    context: ContextDep,
) -> CaseOut:  # fmt: skip
    case = service.read_case(db, caller, org_id, case_id, now=clock.now())
    return service.as_out(case, directory(context.settings), context.encryptor(PURPOSE))


@router.patch(BASE + "/{case_id}")
def update_case(
    org_id: PathId, case_id: PathId, body: CaseUpdate, caller: LegalMember, db: DbDep,
    clock: ClockDep, context: ContextDep, settings: SettingsDep,
) -> CaseOut:  # fmt: skip
    """Change what is given; `"status": "closed"` starts the retention clock."""
    places, sealer = directory(settings), context.encryptor(PURPOSE)
    case = service.update_case(
        db, caller, org_id, case_id, body, directory=places, sealer=sealer,
        retention_days=settings.case_retention_days, now=clock.now(),
    )  # fmt: skip
    return service.as_out(case, places, sealer)


@router.post(BASE + "/{case_id}/export")
def export_case(
    org_id: PathId, case_id: PathId, body: ExportIn, caller: LegalMember, db: DbDep,
    clock: ClockDep, context: ContextDep,
) -> Response:  # fmt: skip
    """The case as a file encrypted to a partner lawyer's age public key."""
    return export_response(db, caller, org_id, case_id, body, clock=clock, context=context)


def export_response(
    db: Session, caller: Principal, org_id: int, case_id: int, body: ExportIn, *,
    clock: Clock, context: AppContext,
) -> Response:  # fmt: skip
    """The encrypted file as a download; the key is checked before the case is even read."""
    now, places = clock.now(), directory(context.settings)
    recipient, named = export.recipient_for(body, places)
    case = service.read_case(db, caller, org_id, case_id, now=now, why="exported")
    organization = db.get(Organization, org_id)
    assert organization is not None
    content = export.document(
        service.as_out(case, places, context.encryptor(PURPOSE)),
        organization=organization.name,
        now=now,
    )
    audit.record(
        db, "cases.export_recipient", at=now, actor_id=caller.member_id,
        organization_id=org_id, case_id=case.id, recipient=named,
    )  # fmt: skip
    return Response(
        export.encrypt(content, recipient),
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="case-{case.id}.json.age"',
            "Cache-Control": "no-store",
        },
    )
