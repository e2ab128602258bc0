"""Tiny PMTiles archives for tests, written with the `pmtiles` library itself."""

from __future__ import annotations

import gzip
import io
import math
from collections.abc import Iterable, Iterator
from pathlib import Path

from PIL import Image
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

Key = tuple[int, int, int]


def tile_of(lat: float, lon: float, z: int) -> tuple[int, int]:
    """The (x, y) of the Web Mercator tile holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tiles_over(south: float, west: float, north: float, east: float, zooms: range) -> Iterator[Key]:
    for z in zooms:
        x0, y0 = tile_of(north, west, z)
        x1, y1 = tile_of(south, east, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                yield z, x, y


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, "PNG")
    return out.getvalue()


def write_pmtiles(
    path: Path,
    tiles: Iterable[tuple[Key, bytes]],
    *,
    tile_type: TileType = TileType.PNG,
    compression: Compression = Compression.NONE,
    attribution: str = "",
) -> Path:
    ordered = sorted(tiles, key=lambda item: zxy_to_tileid(*item[0]))
    with path.open("wb") as handle:
        writer = Writer(handle)  # type: ignore[no-untyped-call]
        for key, data in ordered:
            stored = gzip.compress(data) if compression == Compression.GZIP else data
            writer.write_tile(zxy_to_tileid(*key), stored)  # type: ignore[no-untyped-call]
        writer.finalize(  # type: ignore[no-untyped-call]
            {
                "tile_type": tile_type,
                "tile_compression": compression,
                "min_lon_e7": -1800000000,
                "min_lat_e7": -850000000,
                "max_lon_e7": 1800000000,
                "max_lat_e7": 850000000,
                "center_zoom": 0,
                "center_lon_e7": 0,
                "center_lat_e7": 0,
            },
            {"attribution": attribution} if attribution else {},
        )
    return path
