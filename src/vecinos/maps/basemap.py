"""The self-hosted basemap: a PMTiles archive (a county extract, say) in the data directory,
served tile by tile by the app itself, so no tile server learns which streets residents look at.

PMTiles is one file: a header, directories of tile ids and the tiles. `pmtiles` reads the
format; directories are decoded once and kept, so a tile costs a lookup and a slice of the file.
"""

from __future__ import annotations

import logging
import mmap
import os
import struct
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pmtiles.reader import Reader
from pmtiles.tile import (
    Compression,
    Entry,
    MagicNumberNotFound,
    SpecVersionUnsupported,
    TileType,
    deserialize_directory,
    deserialize_header,
    find_tile,
    zxy_to_tileid,
)

from vecinos.config import Settings

log = logging.getLogger("vecinos.maps")

MEDIA_TYPES = {
    TileType.MVT: "application/vnd.mapbox-vector-tile",
    TileType.PNG: "image/png",
    TileType.JPEG: "image/jpeg",
    TileType.WEBP: "image/webp",
    TileType.AVIF: "image/avif",
}
UNREADABLE = (OSError, ValueError, struct.error, MagicNumberNotFound, SpecVersionUnsupported)
MAX_DEPTH = 4  # root, then at most three levels of leaf directories (the PMTiles limit)


@dataclass(frozen=True)
class Tile:
    data: bytes
    media_type: str
    gzipped: bool  # vector tiles are usually stored gzip-compressed


class Basemap:
    """One PMTiles archive, opened read-only and memory-mapped."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self.header = deserialize_header(self._map[0:127])
        self.metadata = Reader(self._bytes).metadata()  # type: ignore[no-untyped-call]
        self._directory = lru_cache(maxsize=256)(self._read_directory)

    def _bytes(self, offset: int, length: int) -> bytes:
        return self._map[offset : offset + length]

    def _read_directory(self, offset: int, length: int) -> list[Entry]:
        return deserialize_directory(self._bytes(offset, length))

    @property
    def kind(self) -> str:
        """Vector (Mapbox Vector Tiles) or raster (images): how pages draw the tiles."""
        return "vector" if self.header["tile_type"] == TileType.MVT else "raster"

    @property
    def attribution(self) -> str:
        value = self.metadata.get("attribution", "") if isinstance(self.metadata, dict) else ""
        return str(value)

    @property
    def max_zoom(self) -> int:
        return int(self.header["max_zoom"])

    def tile(self, z: int, x: int, y: int) -> Tile | None:
        if not (0 <= z <= 30 and 0 <= x < 2**z and 0 <= y < 2**z):
            return None
        media_type = MEDIA_TYPES.get(self.header["tile_type"])
        if media_type is None:
            return None
        data = self._find(zxy_to_tileid(z, x, y))
        if data is None:
            return None
        gzipped = self.header["tile_compression"] == Compression.GZIP
        return Tile(data, media_type, gzipped)

    def _find(self, tile_id: int) -> bytes | None:
        header = self.header
        offset, length = header["root_offset"], header["root_length"]
        for _ in range(MAX_DEPTH):
            entry = find_tile(self._directory(offset, length), tile_id)
            if entry is None:
                return None
            if entry.run_length:
                return self._bytes(header["tile_data_offset"] + entry.offset, entry.length)
            offset, length = header["leaf_directory_offset"] + entry.offset, entry.length
        return None


def basemap_path(settings: Settings) -> Path:
    path = Path(settings.map_pmtiles)
    return path if path.is_absolute() else settings.data_dir / path


_lock = threading.Lock()
_opened: dict[tuple[str, int, int], Basemap | None] = {}


def basemap_of(settings: Settings) -> Basemap | None:
    """The archive at the configured path, or None when there is none (or it is unreadable).

    Reopened when the file changes, so a coalition can drop in a new extract without a restart.
    """
    path = basemap_path(settings)
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (os.fspath(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key not in _opened:
            _opened.clear()
            _opened[key] = _open(path)
        return _opened[key]


def _open(path: Path) -> Basemap | None:
    try:
        return Basemap(path)
    except UNREADABLE as exc:
        log.warning("no basemap: %s is not a readable PMTiles file (%s)", path, exc)
        return None
