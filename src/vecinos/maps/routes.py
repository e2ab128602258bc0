"""Public map routes: the base layer (service area and zones) and the self-hosted basemap."""

from __future__ import annotations

import gzip

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from vecinos.maps.base_layer import base_layer
from vecinos.maps.basemap import MEDIA_TYPES, basemap_of
from vecinos.web.deps import DbDep, SettingsDep
from vecinos.web.openapi import answers_in, bare
from vecinos.web.policy import PUBLIC

router = APIRouter(prefix="/map", tags=["maps"], dependencies=[PUBLIC.dependency()])
TILE_CACHE = "public, max-age=86400"
BASE_CACHE = "public, max-age=60"  # a new zone shows within a minute
GEOJSON = "application/geo+json"
TILE_TYPES = sorted(MEDIA_TYPES.values())


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


@router.get(
    "/tiles/{z}/{x}/{y}",
    summary="One tile of the self-hosted basemap (PMTiles)",
    response_class=Response,
    responses={
        200: {
            "description": "The tile as the archive holds it (vector or raster).",
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in TILE_TYPES},
        },
        **bare(404, "The archive holds no tile here (or no basemap is installed)."),
    },
)
def tile(z: int, x: int, y: int, request: Request, settings: SettingsDep) -> Response:
    basemap = basemap_of(settings)
    found = basemap.tile(z, x, y) if basemap else None
    if found is None:
        # Maps ask for tiles around the edges that the archive does not hold: a bare 404,
        # cached like a tile, is all they need.
        return Response(status_code=404, headers={"Cache-Control": TILE_CACHE})
    data, headers = found.data, {"Cache-Control": TILE_CACHE, "Vary": "Accept-Encoding"}
    if found.gzipped:
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
        else:
            data = gzip.decompress(data)
    return Response(data, media_type=found.media_type, headers=headers)
