"""Who should hear about a place: candidates by H3 cell, then the exact test.

Circles: a subscriber within `r` of the incident is a subscriber whose circle of radius `r`
covers it, so for each band of offered radii the lookup asks for the home cells (areas.py)
that lie within the band's radius of the incident: an indexed IN over a few dozen cells, which
reads about 1.5 times the subscribers who will match, never the whole table, and the exact
haversine test runs in the same query, in the database's C, not in Python. Zones: the cells
their zones touch, asked at every resolution a deployment may have used (5–9), so changing
`alert_h3_resolution` later does not lose the zones stored under the old one.

Rows come back as the database driver's rows, not ORM objects nor tuples of our own: a fan-out
at a million subscribers returns tens of thousands of them, and building a Python object per
row cost more than the query itself (bench/fanout).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import NamedTuple, Protocol

from sqlalchemy import ColumnElement, Select, bindparam, select, true
from sqlalchemy.orm import Session

from vecinos.alerts.areas import DECIMALS
from vecinos.alerts.models import (
    RADII_M,
    AlertKind,
    AreaKind,
    ChannelKind,
    Subscription,
    SubscriptionCell,
    SubscriptionStatus,
)
from vecinos.geo.cells import cell_of, cells_reaching, resolution_for_radius
from vecinos.geo.distance import point_params, within_m_sql
from vecinos.geo.models import Zone
from vecinos.shapes import Area, covers, prepared_shape

ZONE_RESOLUTIONS = range(5, 10)  # the bounds of the alert_h3_resolution setting

S = Subscription
ACTIVE = SubscriptionStatus.ACTIVE.value


class Recipient(Protocol):
    """Whom to send to: a row of the circle query, or a `Listed` recipient."""

    @property
    def subscription_id(self) -> int: ...
    @property
    def channel(self) -> str: ...  # a ChannelKind value
    @property
    def language(self) -> str: ...


class Listed(NamedTuple):
    """A recipient built in Python: zone subscribers, tests, benchmarks."""

    subscription_id: int
    channel: ChannelKind
    language: str


def wanted(kind: AlertKind) -> ColumnElement[bool]:
    """Confirmed alerts, notices and updates go to all; the rest to those who asked."""
    if kind is AlertKind.RUMOUR_CONTROL:
        return S.wants_rumour_control.is_(True)
    if kind is AlertKind.ALL_CLEAR:
        return S.wants_all_clear.is_(True)
    return true()


def match_subscribers(db: Session, lat: float, lon: float, *, kind: AlertKind) -> list[Recipient]:
    """Active subscribers whose area covers (lat, lon) and who want alerts of `kind`.

    Decided to the centimetre: the point is rounded as circle centres are (areas.DECIMALS).
    """
    lat, lon = round(lat, DECIMALS), round(lon, DECIMALS)
    return [*_in_circles(db, lat, lon, kind), *_in_zones(db, lat, lon, kind)]  # in no order


def _in_circles(db: Session, lat: float, lon: float, kind: AlertKind) -> list[Recipient]:
    point = point_params(lat, lon)
    connection = db.connection()  # Core rows: no ORM identity map for tens of thousands
    found: list[Recipient] = []
    lower = 0
    for upper in RADII_M:
        cells = cells_reaching(lat, lon, upper, resolution_for_radius(upper))
        found += connection.execute(
            _band_query(lower, upper, kind), {"cells": cells, **point}
        ).all()
        lower = upper
    return found


@cache
def _band_query(lower: int, upper: int, kind: AlertKind) -> Select[int, str, str]:
    """Active circles of one band of radii that cover the bound point, built once per band and
    kind: a fan-out only binds the cells and the point. Every column read is in the home-cell
    index, so the table itself is never touched."""
    return select(S.id.label("subscription_id"), S.channel, S.language).where(
        S.home_cell.in_(bindparam("cells", expanding=True)),
        S.radius_m > lower,
        S.radius_m <= upper,
        # `status || ''`, not `status`: a bare status test would let SQLite without statistics
        # walk the status index (every active subscriber) instead of the home-cell one.
        S.status.concat("") == ACTIVE,
        within_m_sql(S.lat, S.lon, S.radius_m),  # the exact test, in the database's C
        wanted(kind),
    )


def _in_zones(db: Session, lat: float, lon: float, kind: AlertKind) -> Iterable[Listed]:
    cells = [cell_of(lat, lon, resolution) for resolution in ZONE_RESOLUTIONS]
    # A semi-join (IN) rather than JOIN + DISTINCT: PostgreSQL cannot compare JSON columns.
    in_cells = select(SubscriptionCell.subscription_id).where(SubscriptionCell.cell.in_(cells))
    rows = db.execute(
        select(S.id, S.channel, S.language, S.zone_ids).where(
            S.id.in_(in_cells),
            S.area_kind == AreaKind.ZONES,
            S.status == SubscriptionStatus.ACTIVE,
            wanted(kind),
        )
    ).all()
    zones = _zones_of(db, [zone_ids for *_, zone_ids in rows])
    for id_, channel, language, zone_ids in rows:
        if any(covers(zones[z], lon, lat) for z in zone_ids or () if z in zones):
            yield Listed(id_, ChannelKind(channel), language)


def _zones_of(db: Session, zone_lists: Iterable[list[int] | None]) -> dict[int, Area]:
    ids = {z for zone_ids in zone_lists for z in (zone_ids or ())}
    if not ids:
        return {}
    found = db.execute(select(Zone.id, Zone.geometry).where(Zone.id.in_(ids)))
    return {zone_id: prepared_shape(geometry) for zone_id, geometry in found}
