"""Who should hear about a place: candidates by H3 cell, then the exact test.

Circles: a subscriber within `r` of the incident is a subscriber whose circle of radius `r`
covers it, so for each band of offered radii the lookup asks for the home cells (areas.py)
that lie within the band's radius of the incident: an indexed IN over a few dozen cells, which
reads about 1.5 times the subscribers who will match, never the whole table. Zones: the cells
their zones touch, asked at every resolution a deployment may have used (5–9), so changing
`alert_h3_resolution` later does not lose the zones stored under the old one.

Rows come back as plain tuples, not ORM objects: a fan-out at a million subscribers reads
tens of thousands of them, and identity-map bookkeeping would cost more than the query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, cast

from shapely.geometry import Point, shape
from shapely.prepared import PreparedGeometry, prep
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

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
from vecinos.geo.distance import metres_from
from vecinos.geo.models import Zone

ZONE_RESOLUTIONS = range(5, 10)  # the bounds of the alert_h3_resolution setting

S = Subscription
ACTIVE = SubscriptionStatus.ACTIVE.value
CHANNELS = {channel.value: channel for channel in ChannelKind}  # faster than ChannelKind(v)
CircleRow = tuple[int, str, str, float, float, int, str, str]


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
    """Active subscribers whose area covers (lat, lon) and who want alerts of `kind`."""
    found = [*_in_circles(db, lat, lon, kind), *_in_zones(db, lat, lon, kind)]
    return sorted(found)  # by subscription id, the first field


def _in_circles(db: Session, lat: float, lon: float, kind: AlertKind) -> Iterable[Recipient]:
    metres_to = metres_from(lat, lon)
    lower = 0
    for upper in RADII_M:
        farthest = cells_reaching(lat, lon, upper, resolution_for_radius(upper))
        query = select(
            S.id, S.channel, S.language, S.lat, S.lon, S.radius_m, S.status, S.home_cell
        ).where(S.home_cell.in_(farthest), S.radius_m > lower, S.radius_m <= upper, wanted(kind))
        # A home cell is only ever stored with its circle's centre and radius: none is NULL.
        rows = cast(list[CircleRow], db.connection().execute(query).all())  # Core: no ORM rows
        for id_, channel, language, s_lat, s_lon, radius, status, cell in rows:
            # A cell wholly inside the circle needs no trigonometry for its subscribers.
            if status == ACTIVE and (farthest[cell] <= radius or metres_to(s_lat, s_lon) <= radius):
                yield Recipient(id_, CHANNELS[channel], language)
        lower = upper


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
