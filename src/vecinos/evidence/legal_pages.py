"""Legal support's way in: the incidents of their organizations, with what was documented,
which are under legal hold, and the signed export of each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vecinos.accounts.models import Organization, Role
from vecinos.evidence.models import LegalHold, Media
from vecinos.geo.gazetteer import public_place
from vecinos.identity import Principal
from vecinos.incidents.models import Incident
from vecinos.web.deps import DbDep, LanguageDep
from vecinos.web.policy import AnyOrgRole
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)
Legal = Annotated[Principal, Depends(AnyOrgRole(Role.LEGAL))]
MOST = 200  # the newest; older incidents are one search of the exports away


@dataclass(frozen=True)
class Row:
    incident: Incident
    organization: str
    place: str
    files: int
    hold: LegalHold | None


def legal_rows(db: Session, caller: Principal, *, held_only: bool) -> list[Row]:
    mine = sorted(caller.organizations_where(Role.LEGAL))
    named = select(Organization.id, Organization.name).where(Organization.id.in_(mine))
    names: dict[int, str] = {row.id: row.name for row in db.execute(named)}
    query = select(Incident).where(Incident.organization_id.in_(mine))
    if held_only:
        query = query.where(Incident.id.in_(select(LegalHold.incident_id)))
    incidents = db.scalars(
        query.order_by(Incident.opened_at.desc(), Incident.id.desc()).limit(MOST)
    ).all()
    ids = [i.id for i in incidents]
    counted = select(Media.incident_id, func.count()).where(Media.incident_id.in_(ids))
    files: dict[int, int] = {
        row[0]: row[1] for row in db.execute(counted.group_by(Media.incident_id))
    }
    holds = {
        h.incident_id: h
        for h in db.scalars(select(LegalHold).where(LegalHold.incident_id.in_(ids)))
    }
    return [
        Row(
            incident,
            names.get(incident.organization_id or 0, ""),
            public_place(
                db, incident.lat, incident.lon, organization_id=incident.organization_id
            ).label(),
            files.get(incident.id, 0),
            holds.get(incident.id),
        )
        for incident in incidents
    ]


@router.get("/legal")
def legal_incidents(
    request: Request, caller: Legal, db: DbDep, language: LanguageDep, held: bool = False
) -> Response:
    return render(
        request,
        "legal.html",
        language,
        rows=legal_rows(db, caller, held_only=held),
        held=held,
    )
