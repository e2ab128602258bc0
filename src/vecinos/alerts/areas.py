"""A subscriber's area: a circle of an offered radius or a set of zones, and how it is found.

A circle is stored as its centre's H3 cell at a resolution fitted to its radius (a third of
the radius along an edge, so 7 for 5 and 10 km, 8 for 2 km, 9 for 1 km): one indexed value per
subscriber, however large the circle. Matching turns that around: the cells within the radius
of the incident, per radius band, hold every subscriber whose circle may cover it.

Zones are irregular, so a zone subscription stores the cells its zones touch at
`alert_h3_resolution`. Either way the cells give a superset; the exact distance or
point-in-zone test decides (matching.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import h3
from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.alerts.models import RADII_M, AreaKind
from vecinos.errors import InvalidInput
from vecinos.geo.cells import cell_of, resolution_for_radius
from vecinos.geo.models import Zone
from vecinos.i18n import N_
from vecinos.shapes import point_inside, shape_of

MAX_ZONES = 20
DECIMALS = 7  # of a degree: about a centimetre


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
    # To the centimetre: nothing finer is meaningful, and matching's SQL never meets a
    # subnormal difference (PostgreSQL refuses to underflow).
    return Area(
        AreaKind.CIRCLE, lat=round(lat, DECIMALS), lon=round(lon, DECIMALS), radius_m=radius_m
    )


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


def band_of(radius_m: int) -> int:
    """The offered radius whose band holds `radius_m`: the smallest one at least as large.

    Circles in one band share a resolution, so matching asks once per band. Changing the
    offered radii needs a migration that stores every circle's home cell again.
    """
    return next(offered for offered in RADII_M if offered >= radius_m)


def home_cell(lat: float, lon: float, radius_m: int) -> str:
    return cell_of(lat, lon, resolution_for_radius(band_of(radius_m)))


def zone_cover(db: Session, zone_ids: Sequence[int], resolution: int) -> set[str]:
    """Every H3 cell at `resolution` that may hold a point of one of the zones."""
    cells: set[str] = set()
    for zone in db.scalars(select(Zone).where(Zone.id.in_(zone_ids))):
        cells |= zone_cells(zone.geometry, resolution)
    return cells


def zone_cells(geometry: dict[str, object], resolution: int) -> set[str]:
    # "overlap" keeps every cell that touches the zone, so points near its edge are candidates.
    polygon = h3.geo_to_h3shape(geometry)
    found = {str(c) for c in h3.h3shape_to_cells_experimental(polygon, resolution, "overlap")}
    if not found:  # a zone smaller than a cell: the cell of its centre
        lon, lat = point_inside(shape_of(geometry))
        found = {str(h3.latlng_to_cell(lat, lon, resolution))}
    return found
