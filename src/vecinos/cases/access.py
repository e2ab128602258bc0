"""Who may touch follow-up cases: the legal role of the owning organization, nobody else.

A refusal is audited too (who asked, for which organization). The request's transaction
would roll back with the refusal and take the record with it, so the record is committed
first, on the request's own session (a second transaction would wait for the first's
write lock on SQLite).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from vecinos.accounts import audit
from vecinos.accounts.models import Organization, Role
from vecinos.clock import Clock
from vecinos.errors import Forbidden
from vecinos.identity import Principal
from vecinos.web.deps import ClockDep, DbDep, MaybePrincipalDep
from vecinos.web.policy import ORG_PARAM, OrgRole


class LegalOfOrganization(OrgRole):
    def __init__(self) -> None:
        super().__init__(Role.LEGAL)

    async def __call__(  # type: ignore[override]  # the database joins the policy's inputs
        self, request: Request, principal: MaybePrincipalDep, db: DbDep, clock: ClockDep
    ) -> Principal:
        try:
            return await super().__call__(request, principal)
        except Forbidden as refusal:
            assert principal is not None  # a stranger gets 401, not 403
            await run_in_threadpool(_record_refusal, db, clock, request, principal, refusal)
            raise


def _record_refusal(
    db: Session, clock: Clock, request: Request, principal: Principal, refusal: Forbidden
) -> None:
    organization_id = int(request.path_params[ORG_PARAM])
    known = db.get(Organization, organization_id) is not None
    audit.record(
        db, "cases.refused", at=clock.now(), actor_id=principal.member_id,
        organization_id=organization_id if known else None,
        asked_organization_id=organization_id, method=request.method,
        path=request.url.path, code=refusal.code,
    )  # fmt: skip
    db.commit()


LegalMember = Annotated[Principal, Depends(LegalOfOrganization())]
