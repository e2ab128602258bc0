"""Who should hear about a place: candidates by H3 cell, then the exact test.

Circles: a subscriber within `r` of the incident is a subscriber whose circle of radius `r`
covers it, so for each band of offered radii the lookup asks for the home cells (areas.py)
that lie within the band's radius of the incident: an indexed IN over a few dozen cells, which
reads about 1.5 times the subscribers who will match, never the whole table, and the exact
haversine test runs in the same query, in the database's C, not in Python. Zones: the cells
their zones touch, asked at every resolution a deployment may have used (5–9), so changing
`alert_h3_resolution` later does not lose the zones stored under the old one.

Rows come back as plain tuples, not ORM objects: a fan-out at a million subscribers returns
tens of thousands of them, and identity-map bookkeeping would cost more than the query.
"""

from __future__ import annotations

from collections.abc import Iterable
from math import cos, radians
from typing import NamedTuple, cast

from shapely.geometry import Point, shape
from shapely.prepared import PreparedGeometry, prep
from sqlalchemy import ColumnElement, func, select, true
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
from vecinos.geo.distance import EARTH_RADIUS_M
from vecinos.geo.models import Zone

ZONE_RESOLUTIONS = range(5, 10)  # the bounds of the alert_h3_resolution setting

S = Subscription
ACTIVE = SubscriptionStatus.ACTIVE.value
CHANNELS = {channel.value: channel for channel in ChannelKind}  # faster than ChannelKind(v)
CircleRow = tuple[int, str, str, str]


class Recipient(NamedTuple):
    """A named tuple: a fan-out builds tens of thousands, and tuples are built fastest."""

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
    found = [*_in_circles(db, lat, lon, kind), *_in_zones(db, lat, lon, kind)]
    return sorted(found)  # by subscription id, the first field


def _in_circles(db: Session, lat: float, lon: float, kind: AlertKind) -> Iterable[Recipient]:
    inside = _haversine_within(lat, lon)
    lower = 0
    for upper in RADII_M:
        cells = cells_reaching(lat, lon, upper, resolution_for_radius(upper))
        # Every column read is in the home-cell index, so the table itself is never touched.
        query = select(S.id, S.channel, S.language, S.status).where(
            S.home_cell.in_(cells), S.radius_m > lower, S.radius_m <= upper, inside, wanted(kind)
        )
        # The status is tested here, not in SQL: SQLite without statistics would rather walk
        # the status index (every active subscriber) than the home-cell one.
        rows = cast(list[CircleRow], db.connection().execute(query).all())  # Core: no ORM rows
        for id_, channel, language, status in rows:
            if status == ACTIVE:
                yield Recipient(id_, CHANNELS[channel], language)
        lower = upper


def _haversine_within(lat: float, lon: float) -> ColumnElement[bool]:
    """The exact test in SQL, evaluated in C on every candidate: haversine's
    `2R·asin(√a) ≤ radius` as `a ≤ sin²(radius / 2R)`, with a the haversine of the angle
    between the subscriber's centre and (lat, lon)."""
    phi = radians(lat)
    s_phi = func.radians(S.lat)
    a = func.power(func.sin((s_phi - phi) / 2), 2) + cos(phi) * func.cos(s_phi) * func.power(
        func.sin(func.radians(S.lon - lon) / 2), 2
    )
    return a <= func.power(func.sin(S.radius_m / (2 * EARTH_RADIUS_M)), 2)


def _in_zones(db: Session, lat: float, lon: float, kind: AlertKind) -> Iterable[Recipient]:
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
    point = Point(lon, lat)
    for id_, channel, language, zone_ids in rows:
        if any(zones[z].covers(point) for z in zone_ids or () if z in zones):
            yield Recipient(id_, ChannelKind(channel), language)


def _zones_of(db: Session, zone_lists: Iterable[list[int] | None]) -> dict[int, PreparedGeometry]:
    ids = {z for zone_ids in zone_lists for z in (zone_ids or ())}
    if not ids:
        return {}
    found = db.execute(select(Zone.id, Zone.geometry).where(Zone.id.in_(ids)))
    return {zone_id: prep(shape(geometry)) for zone_id, geometry in found}
