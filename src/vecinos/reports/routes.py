"""Report intake over HTTP: the public form/API, the hotline operator's entry, a status check.

Never reads `request.client`: no IP address reaches this code, let alone the database.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.orm import Session

from vecinos import keyring
from vecinos.accounts.models import Role
from vecinos.accounts.principal import Principal
from vecinos.config import Settings
from vecinos.errors import AppError, NotFound, TooManyRequests
from vecinos.i18n import N_
from vecinos.incidents.models import Incident, IncidentState
from vecinos.reports import intake, sources
from vecinos.reports.body import read_json
from vecinos.reports.models import Report, Source
from vecinos.reports.schemas import (
    HotlineReceipt,
    HotlineReportIn,
    PublicReportIn,
    ReportReceipt,
    ReportStatus,
)
from vecinos.reports.writer import IntakeWriter
from vecinos.web.deps import AppContext, ClockDep, ContextDep, DbDep, SettingsDep
from vecinos.web.limits import RateLimited
from vecinos.web.policy import ANONYMOUS, PUBLIC, AnyOrgRole

router = APIRouter(prefix="/api/reports", tags=["reports"])
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]
IDEMPOTENCY_HEADER = "idempotency-key"
JSON_BODY = {"requestBody": {"required": True, "content": {"application/json": {}}}}


async def hotline_body(request: Request, settings: SettingsDep) -> HotlineReportIn:
    return await read_json(request, HotlineReportIn, settings.report_max_bytes)


def writer_of(request: Request, context: AppContext) -> IntakeWriter:
    """The app's one group-commit writer, made on first use."""
    state = request.app.state
    if not hasattr(state, "intake_writer"):
        state.intake_writer = IntakeWriter.in_thread(context.sessions, context.settings)
    writer: IntakeWriter = state.intake_writer
    return writer


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportReceipt,
    # Declared for the route listing: `take_report` checks the "report" limit itself.
    dependencies=[ANONYMOUS.dependency(), Depends(RateLimited("report"))],
    openapi_extra=JSON_BODY,
)
async def submit_report(request: Request) -> Response:
    """Documents the route; `IntakeFastPath` answers it first (see `take_report`)."""
    return await take_report(request)


async def take_report(request: Request) -> Response:
    """On the event loop: checks here, the write joins the others waiting (`IntakeWriter`).

    The hottest route: it reads its body and writes its answer itself, sparing FastAPI's
    routing, dependency and response-model machinery (the route above still documents both).
    Its policy is `ANONYMOUS`: nobody is looked up. Refusals are raised as `AppError`.
    """
    context: AppContext = request.app.state.context
    settings, now = context.settings, context.clock.now()
    body = await read_json(request, PublicReportIn, settings.report_max_bytes)
    source = sources.source_hash(settings, body.device_token, now)
    if refused := context.limits.refusal("report", source, now):
        raise TooManyRequests(
            N_("Too many reports; try again in {seconds} seconds."),
            retry_after=refused.wait,
            code=f"rate_limited_{refused.which}",
        )
    draft = intake.prepare(
        body,
        intake.Sender(Source(body.source), source),
        now=now,
        settings=settings,
        contacts=keyring.report_contacts(settings),
        idempotency_key=request.headers.get(IDEMPOTENCY_HEADER),
    )
    if isinstance(draft.checked, AppError) and draft.key_hash is None:
        raise draft.checked  # no earlier report can answer for it: refuse without the writer
    stored = await writer_of(request, context).submit(draft, now=now)
    receipt = ReportReceipt.model_validate(_receipt(settings, stored.report_id, stored.state))
    return Response(
        receipt.model_dump_json(),
        status_code=status.HTTP_201_CREATED if stored.created else status.HTTP_200_OK,
        media_type="application/json",
    )


@router.post("/hotline", status_code=status.HTTP_201_CREATED, openapi_extra=JSON_BODY)
def enter_hotline_report(
    request: Request,
    response: Response,
    caller: Dispatcher,
    body: Annotated[HotlineReportIn, Depends(hotline_body)],
    db: DbDep,
    context: ContextDep,
    clock: ClockDep,
) -> HotlineReceipt:
    settings, now = context.settings, clock.now()
    sender = intake.Sender(
        Source.HOTLINE,
        sources.source_hash(settings, body.caller_phone, now),
        entered_by_id=caller.member_id,
    )
    report, created = intake.submit(
        db,
        body,
        sender,
        now=now,
        settings=settings,
        contacts=keyring.report_contacts(settings),
        idempotency_key=request.headers.get(IDEMPOTENCY_HEADER),
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    receipt = _receipt(settings, report.id, _state_of(db, report))
    receipt.update(incident_id=report.incident_id, low_trust=report.low_trust)
    return HotlineReceipt.model_validate(receipt)


@router.get("/status/{token}", dependencies=[PUBLIC.dependency()])
def report_status(token: str, db: DbDep, settings: SettingsDep) -> ReportStatus:
    report_id = sources.report_id_of(settings, token)
    report = db.get(Report, report_id) if report_id else None
    if report is None:
        raise NotFound(N_("No report has this status code."), code="report_not_found")
    state = _state_of(db, report)
    return ReportStatus(
        status=state.value,
        verified=state is IncidentState.CONFIRMED,
        received_at=report.received_at,
    )


def _state_of(db: Session, report: Report) -> IncidentState:
    incident = db.get(Incident, report.incident_id)
    return IncidentState(incident.state) if incident else IncidentState.REPORTED


def _receipt(settings: Settings, report_id: int, state: IncidentState) -> dict[str, object]:
    token = sources.status_token(settings, report_id)
    return {
        "report_id": report_id,
        "status_token": token,
        # A page, in the reporter's language; the JSON stays at /api/reports/status/{token}.
        "status_url": f"{settings.public_url.rstrip('/')}/report/status/{token}",
        "status": state.value,
        "verified": state is IncidentState.CONFIRMED,
    }
