"""Against a hijacked account: second-person approvals, and stopping every delivery at once.

Dispatchers and coordinators see and decide on approvals of their organizations' alerts;
coordinators halt and resume outgoing deliveries (so does `vecinos alerts halt|resume`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import select

from vecinos.accounts.models import Member, Role
from vecinos.alerts import approvals, holds
from vecinos.alerts.publish_routes import AlertOut, alert_out
from vecinos.alerts.safety_schemas import ApprovalOut, HaltIn, HoldOut
from vecinos.identity import Principal
from vecinos.web.deps import ContextDep, DbDep, PathId
from vecinos.web.policy import AnyOrgRole

router = APIRouter(prefix="/api/alerts", tags=["alerts"])
Staff = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER, Role.COORDINATOR))]
AnyCoordinator = Annotated[Principal, Depends(AnyOrgRole(Role.COORDINATOR))]


@router.get("/approvals")
def list_approvals(caller: Staff, db: DbDep, context: ContextDep) -> list[ApprovalOut]:
    """Requests waiting for a second person that the caller may decide on, or asked for."""
    found = approvals.open_for(db, caller, context.clock.now())
    asked_by = select(Member.id, Member.display_name).where(
        Member.id.in_({a.requested_by for a in found})
    )
    names: dict[int, str] = dict(db.execute(asked_by).all())
    return [ApprovalOut.of(a, names.get(a.requested_by, "")) for a in found]


@router.post("/approvals/{approval_id}/approve", status_code=status.HTTP_201_CREATED)
def approve(approval_id: PathId, caller: Staff, db: DbDep, context: ContextDep) -> AlertOut:
    """Publish the alert as it was asked for; never by the one who asked, never late."""
    now, settings = context.clock.now(), context.settings
    alert = approvals.approve(db, approval_id, caller, now=now, settings=settings)
    return alert_out(db, alert)


@router.post("/approvals/{approval_id}/refuse")
def refuse(approval_id: PathId, caller: Staff, db: DbDep, context: ContextDep) -> ApprovalOut:
    """Stop it (or, for the one who asked, withdraw it): nothing is published."""
    return ApprovalOut.of(approvals.refuse(db, approval_id, caller, now=context.clock.now()))


@router.get("/hold")
def current_hold(caller: Staff, db: DbDep) -> HoldOut:
    return HoldOut.of(holds.active_hold(db))


@router.post("/halt", status_code=status.HTTP_201_CREATED)
def halt(body: HaltIn, caller: AnyCoordinator, db: DbDep, context: ContextDep) -> HoldOut:
    """Stop every outgoing delivery now; queued ones wait, none is lost."""
    now = context.clock.now()
    return HoldOut.of(holds.halt(db, now=now, actor_id=caller.member_id, note=body.note))


@router.post("/resume")
def resume(caller: AnyCoordinator, db: DbDep, context: ContextDep) -> HoldOut:
    holds.resume(db, now=context.clock.now(), actor_id=caller.member_id)
    return HoldOut.of(None)
