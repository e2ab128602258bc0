"""Public map routes: the self-hosted basemap (the base layer of zones is `geo`'s)."""

from __future__ import annotations

import gzip

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vecinos.maps.basemap import MEDIA_TYPES, basemap_of
from vecinos.web.deps import SettingsDep
from vecinos.web.openapi import bare
from vecinos.web.policy import PUBLIC

router = APIRouter(prefix="/map", tags=["maps"], dependencies=[PUBLIC.dependency()])
TILE_CACHE = "public, max-age=86400"
TILE_TYPES = sorted(MEDIA_TYPES.values())


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
