"""The base layer every map draws, served as GeoJSON: the service area and every zone."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from vecinos.geo.base_layer import base_layer
from vecinos.web.deps import DbDep, SettingsDep
from vecinos.web.openapi import answers_in
from vecinos.web.policy import PUBLIC

router = APIRouter(prefix="/map", tags=["maps"], dependencies=[PUBLIC.dependency()])
BASE_CACHE = "public, max-age=60"  # a new zone shows within a minute
GEOJSON = "application/geo+json"


@router.get(
    "/base.geojson",
    summary="The service area and every zone, as GeoJSON",
    response_class=Response,
    responses=answers_in(
        GEOJSON, "A FeatureCollection: the service area, then each zone.", type="object"
    ),
)
def base(db: DbDep, settings: SettingsDep) -> Response:
    return JSONResponse(
        base_layer(db, settings.service_area_geojson),
        media_type=GEOJSON,
        headers={"Cache-Control": BASE_CACHE},
    )
