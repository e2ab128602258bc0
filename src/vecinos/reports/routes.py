"""Report intake over HTTP: the public form/API, the hotline operator's entry, a status check.

Never reads `request.client`: no IP address reaches this code, let alone the database.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from vecinos import keyring
from vecinos.accounts.models import Role
from vecinos.config import Settings
from vecinos.errors import AppError, NotFound, TooManyRequests
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.incidents.models import Incident, IncidentState
from vecinos.reports import challenge, intake, sources
from vecinos.reports.body import read_json
from vecinos.reports.models import Report, Source
from vecinos.reports.schemas import (
    ChallengeOut,
    HotlineReceipt,
    HotlineReportIn,
    PublicReportIn,
    ReportReceipt,
    ReportStatus,
)
from vecinos.reports.writer import IntakeWriter
from vecinos.web.deps import AppContext, ClockDep, ContextDep, DbDep, SettingsDep
from vecinos.web.limits import Limit, RateLimited
from vecinos.web.openapi import refusals
from vecinos.web.policy import ANONYMOUS, PUBLIC, AnyOrgRole

router = APIRouter(prefix="/api/reports", tags=["reports"])
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]
ReportLimit = Annotated[Limit, Depends(RateLimited("report"))]
IDEMPOTENCY_HEADER = "idempotency-key"


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """The request body as the OpenAPI document shows it: these routes read their JSON
    themselves (`body.read_json`: a size limit that holds for chunked uploads, a depth limit,
    a stable code for each way a body can be wrong), so FastAPI is told its schema here."""
    schema = {"schema": model.model_json_schema()}
    return {"requestBody": {"required": True, "content": {"application/json": schema}}}


async def public_body(request: Request, settings: SettingsDep) -> PublicReportIn:
    return await read_json(request, PublicReportIn, settings.report_max_bytes)


async def hotline_body(request: Request, settings: SettingsDep) -> HotlineReportIn:
    return await read_json(request, HotlineReportIn, settings.report_max_bytes)


def writer_of(request: Request, context: AppContext) -> IntakeWriter:
    """The app's one group-commit writer, made on first use."""
    state = request.app.state
    if not hasattr(state, "intake_writer"):
        state.intake_writer = IntakeWriter.for_database(
            context.sessions, context.settings, context.limits
        )
    writer: IntakeWriter = state.intake_writer
    return writer


def pressure_of(request: Request) -> challenge.Pressure:
    """How many public reports this process has been sent lately (the challenges' price)."""
    state = request.app.state
    if not hasattr(state, "report_pressure"):
        state.report_pressure = challenge.Pressure()
    pressure: challenge.Pressure = state.report_pressure
    return pressure


@router.get("/challenge", dependencies=[ANONYMOUS.dependency()])
def report_challenge(request: Request, context: ContextDep) -> ChallengeOut:
    """A proof-of-work challenge for one public report (ALTCHA v1). It costs more while many
    reports are coming in; solve it on the device and send the answer as the report's `proof`."""
    now = context.clock.now()
    price = challenge.work(context.settings, pressure_of(request).per_minute(now))
    made = challenge.issue(context.settings, now=now, max_number=price)
    return ChallengeOut(
        algorithm=made.algorithm,
        challenge=made.challenge,
        maxnumber=made.maxnumber,
        salt=made.salt,
        signature=made.signature,
        expires_at=made.expires_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ReportReceipt, "description": "Sent before (same idempotency key)."},
        **refusals(404, 409),  # a place or zone that does not exist; a reused idempotency key
    },
    dependencies=[ANONYMOUS.dependency()],
    openapi_extra=json_body(PublicReportIn),
)
async def submit_report(
    request: Request,
    response: Response,
    body: Annotated[PublicReportIn, Depends(public_body)],
    context: ContextDep,
    limit: ReportLimit,
) -> ReportReceipt:
    """Checked on the event loop; the write joins the others waiting (`IntakeWriter`), so
    reports that arrive together share one transaction. Nobody is looked up (`ANONYMOUS`)."""
    settings, now = context.settings, context.clock.now()
    pressure_of(request).note(now)  # refused ones too: a flood raises the price either way
    proof = None
    if settings.report_proof_of_work:
        proof = challenge.verify(settings, body.proof, now=now)
    source = sources.source_hash(settings, body.device_token, now)
    if refused := await limit.arefusal(source):
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
    stored = await writer_of(request, context).submit(draft, now=now, proof=proof)
    if not stored.created:
        response.status_code = status.HTTP_200_OK
    return ReportReceipt.model_validate(_receipt(settings, stored.report_id, stored.state))


@router.post(
    "/hotline",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=json_body(HotlineReportIn),
    responses=refusals(404, 409),
)
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
