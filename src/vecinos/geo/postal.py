"""US ZIP codes with their city, from the offline `zipcodes` package (no network at run time).

The package gives each ZIP code one point (its centre), not its outline, so "the ZIP code of a
point" is the nearest residential ZIP centre within `MAX_DISTANCE_M`: right for a coarse public
place, which is all it is used for. Only active STANDARD codes count: PO-box and single-company
codes are not places people live in or recognise. Loading the data from the package takes
about a second, in one call into its compiled extension that holds the GIL (nothing else in the
process runs meanwhile). So `vecinos serve` keeps the rows it uses, five fields of ~30k codes, in
a small file under the data directory (`cache/`), named by the package's version, and reads that
at later starts (a few hundredths of a second); a missing or unreadable file is made again.
Even so, reading them and building their index (~0.1 s) happens beside the serving app, not
before it: no request needs them before an alert names a place, and one that does meanwhile
waits for that load rather than starting another.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import astuple, dataclass
from functools import cache
from math import cos, radians
from pathlib import Path

import zipcodes

from vecinos.geo.distance import haversine_m
from vecinos.geo.names import fold
from vecinos.shapes import PointIndex

log = logging.getLogger(__name__)

CACHE_FORMAT = 1  # bump when what a kept row holds, or which codes are kept, changes
MAX_DISTANCE_M = 15_000.0  # past this, a point has no ZIP code worth naming (sea, desert)
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class ZipCode:
    code: str
    city: str
    state: str
    lat: float
    lon: float

    @property
    def city_key(self) -> str:
        return fold(self.city)


_loaded: tuple[ZipCode, ...] | None = None  # set once per process: by `warm` or on first use
_kept_under: Path | None = None  # the data directory whose kept file `_all` reads, if any
_loading = threading.Lock()  # one load at a time: a second caller waits for the first's
_warming = threading.Lock()  # one warm-up at a time: a second finds the index built, not twice


def _all() -> tuple[ZipCode, ...]:
    global _loaded
    if _loaded is None:
        with _loading:
            if _loaded is None:
                _loaded = _kept(_kept_under) if _kept_under is not None else _from_package()
    return _loaded


def _from_package() -> tuple[ZipCode, ...]:
    found = []
    for z in zipcodes.list_all():  # type: ignore[no-untyped-call]
        lat, lon = float(z["lat"] or 0), float(z["long"] or 0)
        # A few records carry (0, 0) for "unknown": off the coast of Africa, not a place.
        if z["active"] and z["zip_code_type"] == "STANDARD" and (lat, lon) != (0.0, 0.0):
            found.append(ZipCode(str(z["zip_code"]), str(z["city"]), str(z["state"]), lat, lon))
    return tuple(found)


def cache_file(data_dir: Path) -> Path:
    return data_dir / "cache" / f"zipcodes-{zipcodes.__version__}-{CACHE_FORMAT}.json"


def _kept(data_dir: Path) -> tuple[ZipCode, ...]:
    """The codes from the file kept under `data_dir`, made from the package when it is missing
    or unreadable (then written for the next start; a failed write only costs that)."""
    path = cache_file(data_dir)
    try:
        return tuple(ZipCode(*row) for row in json.loads(path.read_bytes()))
    except (OSError, ValueError, TypeError):
        pass
    found = _from_package()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps([astuple(z) for z in found], separators=(",", ":")))
        partial.replace(path)  # whole or not at all, whichever process writes last
    except OSError as exc:
        log.warning("could not keep the ZIP codes at %s: %s", path, exc)
    return found


@cache
def _by_code() -> dict[str, ZipCode]:
    return {z.code: z for z in _all()}


@cache
def _tree() -> PointIndex:
    return PointIndex((z.lon, z.lat) for z in _all())


def keep_under(data_dir: Path) -> None:
    """Load the codes from (and keep them in) the file under `data_dir`, not the package."""
    global _kept_under
    _kept_under = data_dir


def warm(data_dir: Path | None = None) -> None:
    """Load the codes and build the index now (once per process), so the first alert a process
    names a place for does not wait for it; from the file kept under `data_dir` if given."""
    if data_dir is not None:
        keep_under(data_dir)
    with _warming:
        _all()
        _by_code()
        _tree()


def warmed(data_dir: Path) -> Callable[[], AbstractAsyncContextManager[None]]:
    """For the app's lifespan: loaded in a thread beside the serving app (waited for at
    shutdown). A request that needs the codes sooner waits for that load (`_loading`)."""

    @asynccontextmanager
    async def helper() -> AsyncIterator[None]:
        keep_under(data_dir)  # before anything can ask: never the package's slow load
        loading = asyncio.create_task(asyncio.to_thread(_warm_or_log, data_dir))
        try:
            yield
        finally:
            await loading

    return helper


def _warm_or_log(data_dir: Path) -> None:
    try:
        warm(data_dir)
    except Exception:  # the first place named loads them again (`_all`), and may say why
        log.exception("could not load the ZIP codes beside the app")


def by_code(code: str) -> ZipCode | None:
    return _by_code().get(code.strip())


def nearest(lat: float, lon: float, max_m: float = MAX_DISTANCE_M) -> ZipCode | None:
    """The ZIP code whose centre is nearest (lat, lon), if one is within `max_m` metres.

    The tree finds the centres in a box around the point; great-circle distance decides
    among them (degrees of longitude shrink away from the equator, so the box's nearest in
    degrees need not be the nearest on the ground).
    """
    dlat = max_m / METRES_PER_DEGREE
    dlon = max_m / (METRES_PER_DEGREE * max(0.01, cos(radians(lat))))
    everything = _all()
    found = _tree().in_box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
    distances = ((haversine_m(lat, lon, everything[i].lat, everything[i].lon), i) for i in found)
    best = min(distances, default=None)
    return everything[best[1]] if best is not None and best[0] <= max_m else None


def starting_with(digits: str) -> Iterator[ZipCode]:
    """ZIP codes whose digits begin with `digits`, in order."""
    return (z for z in _all() if z.code.startswith(digits))


def in_city(folded: str) -> Iterator[ZipCode]:
    """ZIP codes whose city's folded name contains `folded`."""
    return (z for z in _all() if folded in z.city_key)
