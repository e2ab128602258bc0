"""Bodies of the approval and halt routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from vecinos.alerts.safety_models import AlertApproval, DeliveryHold


class ApprovalOut(BaseModel):
    id: int
    incident_id: int
    kind: str
    reason: str  # unconfirmed, recipients
    recipients: int
    texts: dict[str, str]  # the edits asked for
    short_texts: dict[str, str]
    cross_streets: str | None
    shown: dict[str, str]  # the full texts as they would go out, for the second person
    status: str
    requested_by: int
    requested_by_name: str
    requested_at: datetime
    deadline: datetime
    decided_by: int | None
    alert_id: int | None

    @classmethod
    def of(cls, approval: AlertApproval, requester: str = "") -> ApprovalOut:
        return cls(
            id=approval.id,
            incident_id=approval.incident_id,
            kind=approval.kind,
            reason=approval.reason,
            recipients=approval.recipients,
            texts=dict(approval.edits.get("texts", {})),
            short_texts=dict(approval.edits.get("short_texts", {})),
            cross_streets=approval.edits.get("cross_streets"),
            shown=dict(approval.edits.get("shown", {})),
            status=str(approval.status),
            requested_by=approval.requested_by,
            requested_by_name=requester,
            requested_at=approval.requested_at,
            deadline=approval.deadline,
            decided_by=approval.decided_by,
            alert_id=approval.alert_id,
        )


class HaltIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=200)


class HoldOut(BaseModel):
    halted: bool
    reason: str | None = None
    since: datetime | None = None
    note: str | None = None

    @classmethod
    def of(cls, hold: DeliveryHold | None) -> HoldOut:
        if hold is None:
            return cls(halted=False)
        return cls(halted=True, reason=str(hold.reason), since=hold.started_at, note=hold.note)
