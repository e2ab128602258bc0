"""Two people for the alerts a hijacked account would send: an unconfirmed notice, or any
alert that would reach more than `alert_approval_recipients` people, waits for a second staff
member of the incident's organization (a dispatcher or coordinator, not the one who asked) to
approve it before `alert_approval_minutes` run out. The alert is then composed and published
as at any other time, under the name of the one who asked; the timeline keeps both names.

The worker's own alerts after the hold follow a responder's confirmation and are not held
here; the volume alarm (`alarm`) watches them like every other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Role
from vecinos.alerts import composing, publishing
from vecinos.alerts.models import AlertKind
from vecinos.alerts.outbox_models import Alert
from vecinos.alerts.safety_models import AlertApproval, ApprovalStatus
from vecinos.config import Settings
from vecinos.errors import Conflict, Forbidden, Gone, NotFound
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.incidents import timeline
from vecinos.incidents.models import Incident

DECIDERS = (Role.DISPATCHER, Role.COORDINATOR)
PENDING = ApprovalStatus.PENDING.value


def reason_for(kind: AlertKind, recipients: int, settings: Settings) -> str | None:
    """Why this alert needs a second person, or None when one is enough."""
    if kind is AlertKind.UNCONFIRMED:
        return "unconfirmed"
    if recipients > settings.alert_approval_recipients:
        return "recipients"
    return None


def request(
    db: Session,
    incident: Incident,
    kind: AlertKind,
    edits: composing.Edits,
    *,
    recipients: int,
    reason: str,
    actor_id: int,
    now: datetime,
    settings: Settings,
) -> AlertApproval:
    publishing.check_allowed(db, incident, kind)
    # What the second person reads: the texts as they would go out now (English, Spanish).
    made = composing.compose(db, incident, kind, (), edits, settings=settings, now=now)
    composing.validate(made)  # a text that could never go out is refused now, not later
    shown = {lang: made.texts[lang] for lang in sorted(composing.ALWAYS)}
    approval = AlertApproval(
        incident_id=incident.id,
        organization_id=incident.organization_id,
        kind=kind.value,
        edits={
            "texts": dict(edits.texts),
            "short_texts": dict(edits.short_texts),
            "cross_streets": edits.cross_streets,
            "shown": shown,
        },
        recipients=recipients,
        reason=reason,
        status=ApprovalStatus.PENDING,
        requested_by=actor_id,
        requested_at=now,
        deadline=now + timedelta(minutes=settings.alert_approval_minutes),
    )
    db.add(approval)
    db.flush()
    payload = {"approval_id": approval.id, "kind": kind.value, "reason": reason}
    timeline.append(
        db, incident.id, "alert.approval_requested", payload, actor_id=actor_id, now=now
    )
    return approval


def _pending(db: Session, approval_id: int, caller: Principal, now: datetime) -> AlertApproval:
    approval = db.get(AlertApproval, approval_id, with_for_update=True)
    if approval is None or not _may_decide(caller, approval):
        raise NotFound(N_("No such approval request."), code="approval_not_found")
    if approval.status != PENDING:
        raise Conflict(
            N_("Someone already decided on this request."),
            code="approval_decided",
            details={"status": str(approval.status)},
        )
    if now >= approval.deadline:
        raise Gone(
            N_("The time to approve this alert ran out; ask again if it is still needed."),
            code="approval_expired",
        )
    return approval


def _may_decide(caller: Principal, approval: AlertApproval) -> bool:
    mine = caller.organizations_where(*DECIDERS)
    return bool(mine) and (approval.organization_id is None or approval.organization_id in mine)


def approve(
    db: Session, approval_id: int, caller: Principal, *, now: datetime, settings: Settings
) -> Alert:
    """The second person lets it through: it is published now, as it was asked for."""
    approval = _pending(db, approval_id, caller, now)
    if approval.requested_by == caller.member_id:
        raise Forbidden(
            N_("Someone other than the person who asked must approve this alert."),
            code="approval_by_requester",
        )
    incident = db.get(Incident, approval.incident_id)
    assert incident is not None  # the approval goes with its incident (ON DELETE CASCADE)
    edits = composing.Edits(
        approval.edits.get("texts", {}),
        approval.edits.get("short_texts", {}),
        approval.edits.get("cross_streets"),
    )
    alert = publishing.publish(
        db,
        incident,
        AlertKind(approval.kind),
        edits,
        now=now,
        settings=settings,
        actor_id=approval.requested_by,
    )
    _decide(db, approval, ApprovalStatus.APPROVED, caller.member_id, now, alert_id=alert.id)
    return alert


def refuse(db: Session, approval_id: int, caller: Principal, *, now: datetime) -> AlertApproval:
    """A second person stops it, or the one who asked withdraws it."""
    approval = _pending(db, approval_id, caller, now)
    _decide(db, approval, ApprovalStatus.REFUSED, caller.member_id, now)
    return approval


def _decide(
    db: Session,
    approval: AlertApproval,
    status: ApprovalStatus,
    member_id: int | None,
    now: datetime,
    alert_id: int | None = None,
) -> None:
    approval.status, approval.decided_by, approval.decided_at = status, member_id, now
    approval.alert_id = alert_id
    payload = {"approval_id": approval.id, "status": status.value, "alert_id": alert_id}
    timeline.append(
        db, approval.incident_id, "alert.approval_decided", payload, actor_id=member_id, now=now
    )


def open_for(db: Session, caller: Principal, now: datetime) -> Sequence[AlertApproval]:
    """Pending requests the caller may decide on, or asked for."""
    mine = caller.organizations_where(*DECIDERS)
    query = select(AlertApproval).where(
        AlertApproval.status == PENDING,
        AlertApproval.deadline > now,
        or_(
            AlertApproval.organization_id.is_(None),
            AlertApproval.organization_id.in_(mine),
            AlertApproval.requested_by == caller.member_id,
        ),
    )
    return db.scalars(query.order_by(AlertApproval.deadline)).all()


def expire_due(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's job: requests nobody decided before their deadline expire."""
    late = db.scalars(
        select(AlertApproval)
        .where(AlertApproval.status == PENDING, AlertApproval.deadline <= now)
        .limit(settings.worker_batch_size)
    ).all()
    for approval in late:
        _decide(db, approval, ApprovalStatus.EXPIRED, None, now)
    return len(late)
