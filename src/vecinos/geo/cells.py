"""H3 helpers: the cell of a point, the cells that may hold points within a radius, centres."""

from __future__ import annotations

from functools import lru_cache
from math import floor

import h3

from vecinos.geo.distance import haversine_m

# Cell sizes drift slowly across the globe; a margin on the local edge lengths covers the
# drift within a search radius and the small error of treating the sphere as flat there.
_MARGIN = 0.1


def cell_of(lat: float, lon: float, resolution: int) -> str:
    return str(h3.latlng_to_cell(lat, lon, resolution))


def centre_of(cell: str) -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(cell)
    return float(lat), float(lon)


@lru_cache(maxsize=16_384)
def ring_for_radius(cell: str, radius_m: float) -> int:
    """Grid distance k such that any point within `radius_m` of a point in `cell` lies in a
    cell of `grid_disk(cell, k)`.

    A point is at most one edge length from its cell's centre, so two points `radius_m` apart
    have centres at most `radius_m + 2·edge` apart; a cell `k` rings away has its centre at
    least `1.5·edge·k` away (the inradius of the ring's hexagon), so no cell further out than
    `(radius_m + 2·edge) / (1.5·edge)` rings can hold such a point.
    """
    edges = [float(h3.edge_length(e, "m")) for e in h3.origin_to_directed_edges(cell)]
    longest, shortest = max(edges) * (1 + _MARGIN), min(edges) * (1 - _MARGIN)
    return max(1, floor((radius_m + 2 * longest) / (1.5 * shortest)))


def cells_within(lat: float, lon: float, radius_m: float, resolution: int) -> list[str]:
    """Every cell that may contain a point within `radius_m` of (lat, lon); a superset."""
    return list(_disk(cell_of(lat, lon, resolution), float(radius_m)))


# Reports and responders gather in the same few thousand cells: their disks are worth keeping
# (about 3 kB each at 37 cells) instead of being rebuilt on every report.
@lru_cache(maxsize=8192)
def _disk(origin: str, radius_m: float) -> tuple[str, ...]:
    return tuple(str(c) for c in h3.grid_disk(origin, ring_for_radius(origin, radius_m)))


def resolution_for_radius(radius_m: float) -> int:
    """The coarsest resolution whose cells are at most a third of `radius_m` along an edge.

    Around a circle of that radius, the cells that may hold its points then number a few
    dozen, and their area is less than twice the circle's: few lookups, few outsiders.
    """
    for resolution in range(16):
        if h3.average_hexagon_edge_length(resolution, "m") <= radius_m / 3:
            return resolution
    return 15


def cells_reaching(lat: float, lon: float, radius_m: float, resolution: int) -> list[str]:
    """The cells that may hold a point within `radius_m` of (lat, lon): those whose centre is
    within `radius_m` plus the cell's own circumradius. Tighter than `cells_within`'s disk."""
    return [
        cell
        for cell in cells_within(lat, lon, radius_m, resolution)
        if haversine_m(lat, lon, *centre_of(cell)) <= radius_m + _circumradius_m(cell)
    ]


@lru_cache(maxsize=65_536)
def _circumradius_m(cell: str) -> float:
    """The farthest any point of the cell lies from its centre: its farthest vertex."""
    lat, lon = centre_of(cell)
    return max(haversine_m(lat, lon, *vertex) for vertex in h3.cell_to_boundary(cell))
