"""Zone routes: members read their organization's zones, coordinators change them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from vecinos.accounts.models import Role
from vecinos.geo import zones
from vecinos.identity import Principal
from vecinos.web.deps import ClockDep, DbDep, PathId
from vecinos.web.policy import Coordinator, OrgRole

router = APIRouter(prefix="/api/organizations/{org_id}/zones", tags=["zones"])
AnyRoleInOrg = Annotated[Principal, Depends(OrgRole(*Role))]


class ZoneIn(BaseModel):
    name: str = Field(max_length=120)
    geometry: dict[str, Any]


class ZoneOut(BaseModel):
    id: int
    name: str
    geometry: dict[str, Any]
    created_at: datetime


@router.get("")
def list_zones(org_id: PathId, caller: AnyRoleInOrg, db: DbDep) -> list[ZoneOut]:
    return [
        ZoneOut(id=z.id, name=z.name, geometry=z.geometry, created_at=z.created_at)
        for z in zones.zones_of(db, org_id)
    ]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_zone(
    org_id: PathId, body: ZoneIn, caller: Coordinator, db: DbDep, clock: ClockDep
) -> ZoneOut:
    zone = zones.create_zone(db, org_id, body.name, body.geometry, now=clock.now())
    return ZoneOut(id=zone.id, name=zone.name, geometry=zone.geometry, created_at=zone.created_at)


@router.delete("/{zone_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_zone(org_id: PathId, zone_id: PathId, caller: Coordinator, db: DbDep) -> None:
    zones.delete_zone(db, org_id, zone_id)
