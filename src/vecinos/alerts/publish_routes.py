"""Dispatchers publish alerts: preview who would hear it, publish (edited) text, see how the
deliveries went; and Twilio's status callback, which marks texts delivered or failed.

Nothing is sent from a request: publishing writes the alert and its outbox rows, the worker
sends them. Never reads `request.client`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Role
from vecinos.alerts import approvals, composing, holds, inbound, publishing
from vecinos.alerts import sms_status as sms_status_service
from vecinos.alerts.models import AlertKind
from vecinos.alerts.outbox_models import Alert, Delivery
from vecinos.alerts.safety_schemas import ApprovalOut
from vecinos.errors import Forbidden
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.incidents import service
from vecinos.incidents.models import Incident
from vecinos.web.deps import ContextDep, DbDep, PathId
from vecinos.web.limits import Limit, RateLimited
from vecinos.web.openapi import refusals
from vecinos.web.policy import PUBLIC, AnyOrgRole

router = APIRouter(prefix="/api", tags=["alerts"])
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]
KindName = Literal["confirmed", "unconfirmed", "rumour_control", "update", "all_clear"]


class PublishIn(BaseModel):
    """`texts` (full forms) and `short_texts` by language replace the templates' texts of
    those languages; the rest stay. `cross_streets`: the dispatcher's explicit choice to name
    a street pair in this alert (it passes the scrubber); never taken from reports."""

    model_config = ConfigDict(extra="forbid")
    kind: KindName
    texts: dict[str, str] = Field(default_factory=dict, max_length=20)
    short_texts: dict[str, str] = Field(default_factory=dict, max_length=20)
    cross_streets: str | None = Field(None, max_length=200)
    # From the preview of exactly this body for this incident (the composer always sends it):
    # publishing text previewed for another incident, or never previewed, is refused.
    draft_key: str | None = Field(None, max_length=128)

    def edits(self) -> composing.Edits:
        return composing.Edits(self.texts, self.short_texts, self.cross_streets)


class PreviewOut(BaseModel):
    kind: KindName
    texts: dict[str, str]
    short_texts: dict[str, str]
    place: str
    languages: dict[str, dict[str, object]]
    messages: list[dict[str, object]]
    draft_key: str
    recipients: int
    by_channel: dict[str, int]
    by_language: dict[str, int]
    publishable: bool
    findings: dict[str, list[dict[str, object]]]
    # Why a second person must approve it ("unconfirmed", "recipients"), or None.
    needs_approval: str | None
    deliveries_paused: bool  # a halt or the volume alarm holds every delivery for now


class AlertOut(BaseModel):
    id: int
    incident_id: PathId
    kind: str
    unconfirmed: bool
    texts: dict[str, str]
    automatic: bool
    recipients: int
    deliveries: dict[str, int]
    created_at: datetime
    expires_at: datetime


def _incident(db: Session, caller: Principal, incident_id: int) -> Incident:
    """Dispatchers of the owning organization (anyone's, for an incident nobody owns)."""
    incident = service.get_visible(db, caller, incident_id)
    if incident.organization_id is not None and not service.owns(caller, incident):
        raise Forbidden(N_("Only the incident's organization may publish."), code="not_owner")
    return incident


def alert_out(db: Session, alert: Alert) -> AlertOut:
    rows = db.execute(
        select(Delivery.status, func.count())
        .where(Delivery.alert_id == alert.id)
        .group_by(Delivery.status)
    )
    return AlertOut(
        id=alert.id,
        incident_id=alert.incident_id,
        kind=str(alert.kind),
        unconfirmed=alert.kind == AlertKind.UNCONFIRMED,
        texts=alert.texts,
        automatic=alert.automatic,
        recipients=alert.recipient_count,
        deliveries={str(s): int(n) for s, n in rows},
        created_at=alert.created_at,
        expires_at=alert.expires_at,
    )


@router.post("/incidents/{incident_id}/alerts/preview")
def preview(
    incident_id: PathId, body: PublishIn, caller: Dispatcher, db: DbDep, context: ContextDep
) -> PreviewOut:
    """Recipient counts by channel and language, and what the scrubber found; writes nothing."""
    incident = _incident(db, caller, incident_id)
    kind = AlertKind(body.kind)
    publishing.check_allowed(db, incident, kind)
    now, settings = context.clock.now(), context.settings
    seen = publishing.preview(db, incident, kind, body.edits(), settings=settings, now=now)
    return PreviewOut(
        kind=body.kind,
        texts=seen.texts,
        short_texts=seen.short_texts,
        place=seen.place,
        languages=seen.languages,
        messages=seen.messages,
        draft_key=composing.draft_key(settings, incident.id, kind, body.edits()),
        recipients=seen.recipients,
        by_channel=seen.by_channel,
        by_language=seen.by_language,
        publishable=seen.publishable,
        findings=seen.findings,
        needs_approval=approvals.reason_for(kind, seen.recipients, settings),
        deliveries_paused=not holds.may_deliver(db),
    )


@router.post(
    "/incidents/{incident_id}/alerts",
    status_code=status.HTTP_201_CREATED,
    response_model=AlertOut,
    responses={202: {"model": ApprovalOut, "description": "Waiting for a second person."}},
)
def publish(
    incident_id: PathId, body: PublishIn, caller: Dispatcher, db: DbDep, context: ContextDep
) -> AlertOut | JSONResponse:
    """Publish now (201), or, for an unconfirmed notice or an alert to many people, ask a
    second staff member to approve it (202, with the request)."""
    incident = _incident(db, caller, incident_id)
    kind, settings, now = AlertKind(body.kind), context.settings, context.clock.now()
    if body.draft_key is not None:
        composing.check_draft_key(settings, incident.id, kind, body.edits(), body.draft_key)
    count = publishing.recipient_count(db, incident, kind, now)
    if reason := approvals.reason_for(kind, count, settings):
        asked = approvals.request(
            db,
            incident,
            kind,
            body.edits(),
            recipients=count,
            reason=reason,
            actor_id=caller.member_id,
            now=now,
            settings=settings,
        )
        out = ApprovalOut.of(asked, caller.display_name)
        return JSONResponse(out.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)
    alert = publishing.publish(
        db,
        incident,
        kind,
        body.edits(),
        now=context.clock.now(),
        settings=settings,
        actor_id=caller.member_id,
    )
    return alert_out(db, alert)


class KindsOut(BaseModel):
    state: str
    allowed: list[KindName]


@router.get("/incidents/{incident_id}/alerts/kinds")
def alert_kinds(incident_id: PathId, caller: Dispatcher, db: DbDep) -> KindsOut:
    """The kinds of alert this incident may be given now: the composer offers only these."""
    incident = service.get_visible(db, caller, incident_id)
    allowed = [k.value for k in publishing.allowed_kinds(db, incident)]
    return KindsOut(state=str(incident.state), allowed=allowed)


@router.get("/incidents/{incident_id}/alerts")
def list_alerts(incident_id: PathId, caller: Dispatcher, db: DbDep) -> list[AlertOut]:
    incident = service.get_visible(db, caller, incident_id)
    query = select(Alert).where(Alert.incident_id == incident.id).order_by(Alert.id)
    return [alert_out(db, alert) for alert in db.scalars(query)]


async def _form(request: Request) -> dict[str, str]:
    return {key: str(value) for key, value in (await request.form()).items()}


@router.post("/alerts/sms/status", dependencies=[PUBLIC.dependency()], responses=refusals(403))
def sms_status(
    request: Request,
    form: Annotated[dict[str, str], Depends(_form)],
    db: DbDep,
    context: ContextDep,
    limit: Annotated[Limit, Depends(RateLimited("sms-status"))],
) -> Response:
    """Refused unless Twilio's signature matches, like the inbound webhook."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    inbound.check_signature(
        context.settings, path, form, request.headers.get(inbound.SIGNATURE_HEADER)
    )
    limit.check(form.get("MessageSid", ""))
    sms_status_service.apply_status(db, form, now=context.clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
