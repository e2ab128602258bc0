"""Opening one incident on the board: the incident, its reports and its timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from vecinos import keyring
from vecinos.accounts.models import Role
from vecinos.identity import Principal
from vecinos.reports.incident_detail import IncidentDetail, incident_detail
from vecinos.web.deps import ContextDep, DbDep, PathId
from vecinos.web.policy import AnyOrgRole

# Beside `incidents.routes`'s router (same prefix), included after it so `/stream` stays its.
router = APIRouter(prefix="/api/incidents", tags=["incidents"])
Dispatcher = Annotated[Principal, Depends(AnyOrgRole(Role.DISPATCHER))]


@router.get("/{incident_id}")
def get_incident(
    incident_id: PathId, caller: Dispatcher, db: DbDep, context: ContextDep
) -> IncidentDetail:
    return incident_detail(db, caller, incident_id, keyring.report_contacts(context.settings))
