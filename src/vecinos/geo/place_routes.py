"""Landmarks (coordinators manage their organization's) and the public place search.

`GET /api/places?q=` is what location pickers call as someone types, and `GET /api/places/near`
names the area around a pin; both are public, read the gazetteer only, and never keep the
caller's address or point.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from vecinos.accounts import audit
from vecinos.accounts.models import Role
from vecinos.geo import gazetteer, landmarks
from vecinos.geo.landmarks import LandmarkFields
from vecinos.geo.models import LANDMARK_NAME_MAX, Landmark
from vecinos.identity import Principal
from vecinos.web.deps import ContextDep, DbDep, PathId
from vecinos.web.openapi import refusals
from vecinos.web.policy import PUBLIC, Coordinator, OrgRole

router = APIRouter(prefix="/api/organizations/{org_id}/landmarks", tags=["places"])
places_router = APIRouter(prefix="/api/places", tags=["places"], dependencies=[PUBLIC.dependency()])
AnyRoleInOrg = Annotated[Principal, Depends(OrgRole(*Role))]
# Gazetteer answers change when a coordinator edits; a minute in a proxy's cache is harmless.
CACHE = {"Cache-Control": "public, max-age=60"}


class LandmarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=LANDMARK_NAME_MAX * 2)  # spaces are collapsed before the limit
    lat: float
    lon: float


class LandmarkOut(BaseModel):
    id: int
    name: str
    lat: float
    lon: float
    created_at: datetime

    @classmethod
    def of(cls, landmark: Landmark) -> LandmarkOut:
        return cls(
            id=landmark.id,
            name=landmark.name,
            lat=landmark.lat,
            lon=landmark.lon,
            created_at=landmark.created_at,
        )


class PlaceOut(BaseModel):
    kind: str
    key: str
    name: str
    detail: str | None
    lat: float
    lon: float
    zone_id: int | None


class PlacesOut(BaseModel):
    places: list[PlaceOut]


def _fields(body: LandmarkIn) -> LandmarkFields:
    return LandmarkFields(body.name, body.lat, body.lon)


@router.get("")
def list_landmarks(org_id: PathId, caller: AnyRoleInOrg, db: DbDep) -> list[LandmarkOut]:
    return [LandmarkOut.of(m) for m in landmarks.landmarks_of(db, org_id)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_landmark(
    org_id: PathId, body: LandmarkIn, caller: Coordinator, db: DbDep, context: ContextDep
) -> LandmarkOut:
    now = context.clock.now()
    area = context.settings.service_area_geojson
    made = landmarks.create_landmark(db, org_id, _fields(body), service_area_geojson=area, now=now)
    _audit(db, "landmark.created", caller, org_id, made, now)
    return LandmarkOut.of(made)


@router.put("/{landmark_id}")
def update_landmark(
    org_id: PathId,
    landmark_id: PathId,
    body: LandmarkIn,
    caller: Coordinator,
    db: DbDep,
    context: ContextDep,
) -> LandmarkOut:
    area = context.settings.service_area_geojson
    changed = landmarks.update_landmark(
        db, org_id, landmark_id, _fields(body), service_area_geojson=area
    )
    _audit(db, "landmark.changed", caller, org_id, changed, context.clock.now())
    return LandmarkOut.of(changed)


@router.delete("/{landmark_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_landmark(
    org_id: PathId, landmark_id: PathId, caller: Coordinator, db: DbDep, context: ContextDep
) -> None:
    gone = landmarks.landmark_of(db, org_id, landmark_id)
    _audit(db, "landmark.deleted", caller, org_id, gone, context.clock.now())
    landmarks.delete_landmark(db, org_id, landmark_id)


def _audit(
    db: DbDep, action: str, caller: Principal, org_id: int, landmark: Landmark, now: datetime
) -> None:
    detail: dict[str, Any] = {"landmark_id": landmark.id, "name": landmark.name}
    audit.record(db, action, at=now, actor_id=caller.member_id, organization_id=org_id, **detail)


@places_router.get("", response_model=PlacesOut)
def search_places(
    db: DbDep,
    context: ContextDep,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=25)] = 10,
) -> Response:
    """Zones, landmarks and ZIP codes matching `q`, best first (case and accents aside)."""
    found = gazetteer.search_places(
        db, q, limit, area_geojson=context.settings.service_area_geojson
    )
    body = PlacesOut(places=[PlaceOut(**place.as_dict()) for place in found])
    return Response(body.model_dump_json(), media_type="application/json", headers=CACHE)


class AreaOut(BaseModel):
    """The area around a point in words, or null where the gazetteer knows nothing there."""

    label: str | None = Field(examples=["Boyle Heights (90033)"])


@places_router.get("/near", response_model=AreaOut)
def area_near(
    db: DbDep,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
) -> Response:
    """The neighbourhood and ZIP code around a point, for a pin on a map to be named by. The
    point is rounded to about a kilometre before anything is looked up; nothing is kept."""
    label = gazetteer.area_near(db, lat, lon).label() or None
    body = AreaOut(label=label).model_dump_json()
    return Response(body, media_type="application/json", headers=CACHE)


# The service refuses any other kind with its own code; the document says which it takes.
PlaceKindPath = Annotated[str, Path(json_schema_extra={"enum": ["zone", "landmark", "zip"]})]


@places_router.get("/{kind}/{key}", responses=refusals(404))
def resolve_place(kind: PlaceKindPath, key: str, db: DbDep) -> PlaceOut:
    """A picked place as it stands now: its point and the zone holding it."""
    return PlaceOut(**gazetteer.resolve_place(db, kind, key[:20]).as_dict())
