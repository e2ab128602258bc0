"""A subscriber's area: a circle of an offered radius or a set of zones, and its H3 cover.

Cells are stored at `alert_h3_resolution` (7 by default: ~1.2 km edges, ~5 km² a cell). A
10 km circle then takes ~170 rows and a 1 km circle ~40, while an incident's cell holds few
enough candidates that the exact test after the lookup stays cheap. Finer cells would
multiply rows by ~7 per step for a small gain; coarser ones would turn up many outsiders.
The cover is a superset: the exact distance or point-in-zone test decides (matching.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import h3
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.alerts.models import RADII_M, AreaKind
from vecinos.errors import InvalidInput
from vecinos.geo.cells import cells_within
from vecinos.geo.models import Zone
from vecinos.i18n import N_

MAX_ZONES = 20


@dataclass(frozen=True)
class Area:
    kind: AreaKind
    lat: float | None = None
    lon: float | None = None
    radius_m: int | None = None
    zone_ids: tuple[int, ...] = ()


def circle(lat: float, lon: float, radius_m: int) -> Area:
    if radius_m not in RADII_M:
        raise InvalidInput(
            N_("Choose a radius of {radii} metres."),
            params={"radii": ", ".join(str(r) for r in RADII_M)},
            code="radius_not_offered",
        )
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(N_("The point is not on Earth."), code="invalid_point")
    return Area(AreaKind.CIRCLE, lat=lat, lon=lon, radius_m=radius_m)


def zones(db: Session, zone_ids: Sequence[int]) -> Area:
    wanted = tuple(sorted(set(zone_ids)))
    if not 1 <= len(wanted) <= MAX_ZONES:
        raise InvalidInput(
            N_("Choose between 1 and {max} zones."), params={"max": MAX_ZONES}, code="invalid_zones"
        )
    found = set(db.scalars(select(Zone.id).where(Zone.id.in_(wanted))))
    if missing := [z for z in wanted if z not in found]:
        raise InvalidInput(
            N_("There is no zone {zones}."),
            params={"zones": ", ".join(map(str, missing))},
            code="unknown_zone",
        )
    return Area(AreaKind.ZONES, zone_ids=wanted)


def cover(db: Session, area: Area, resolution: int) -> set[str]:
    """Every H3 cell at `resolution` that may hold a point of the area."""
    if area.kind is AreaKind.CIRCLE:
        assert area.lat is not None
        assert area.lon is not None
        assert area.radius_m is not None
        return set(cells_within(area.lat, area.lon, area.radius_m, resolution))
    cells: set[str] = set()
    for zone in db.scalars(select(Zone).where(Zone.id.in_(area.zone_ids))):
        cells |= zone_cells(zone.geometry, resolution)
    return cells


def zone_cells(geometry: dict[str, object], resolution: int) -> set[str]:
    # "overlap" keeps every cell that touches the zone, so points near its edge are candidates.
    polygon = h3.geo_to_h3shape(geometry)
    found = {str(c) for c in h3.h3shape_to_cells_experimental(polygon, resolution, "overlap")}
    if not found:  # a zone smaller than a cell: the cell of its centre
        centre = shape(geometry).representative_point()
        found = {str(h3.latlng_to_cell(centre.y, centre.x, resolution))}
    return found
