"""Great-circle distance: the exact test after an H3 cell search has found candidates."""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, bindparam, func

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG), the one H3 uses too


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Metres between two points given in degrees."""
    phi1, phi2 = radians(lat1), radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = radians(lon2 - lon1) / 2
    a = sin(half_dphi) ** 2 + cos(phi1) * cos(phi2) * sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * asin(min(1.0, sqrt(a)))


# The same test in SQL, for H3 candidate searches: evaluated by the database in C on every
# candidate row, so only the rows inside come back to Python. The point is bound, not built
# into the statement, so a statement serves every point (`point_params`).
def point_params(lat: float, lon: float) -> dict[str, float]:
    phi = radians(lat)
    return {"point_phi": phi, "point_cos_phi": cos(phi), "point_lon": lon}


def within_m_sql(
    lat: SQLColumnExpression[Any],
    lon: SQLColumnExpression[Any],
    radius_m: SQLColumnExpression[Any],
) -> ColumnElement[bool]:
    """Rows whose (lat, lon), in degrees, lie within `radius_m` of the bound point: haversine's
    `2R·asin(√a) ≤ radius` as `a ≤ sin²(radius / 2R)`, which needs no asin or square root."""
    row_phi = func.radians(lat)
    a = func.power(func.sin((row_phi - bindparam("point_phi")) / 2), 2) + bindparam(
        "point_cos_phi"
    ) * func.cos(row_phi) * func.power(func.sin(func.radians(lon - bindparam("point_lon")) / 2), 2)
    return a <= func.power(func.sin(radius_m / (2 * EARTH_RADIUS_M)), 2)
