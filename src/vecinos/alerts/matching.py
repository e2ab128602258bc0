"""Who should hear about a place: candidates by H3 cell, then the exact test.

The lookup is one indexed equality per resolution on `alert_subscription_cells`, so it reads
only the subscribers whose stored cover includes the incident's cell, never the whole table.
It asks at every resolution a deployment may have used (5–9), so changing
`alert_h3_resolution` later does not lose the subscribers stored under the old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shapely.geometry import Point, shape
from shapely.prepared import PreparedGeometry, prep
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from vecinos.alerts.models import (
    AlertKind,
    AreaKind,
    ChannelKind,
    Subscription,
    SubscriptionCell,
    SubscriptionStatus,
)
from vecinos.geo.cells import cell_of
from vecinos.geo.distance import haversine_m
from vecinos.geo.models import Zone

RESOLUTIONS = range(5, 10)  # the bounds of the alert_h3_resolution setting


@dataclass(frozen=True)
class Recipient:
    subscription_id: int
    channel: ChannelKind
    language: str


def wanted(kind: AlertKind) -> ColumnElement[bool]:
    """Confirmed alerts, notices and updates go to all; the rest to those who asked."""
    if kind is AlertKind.RUMOUR_CONTROL:
        return Subscription.wants_rumour_control.is_(True)
    if kind is AlertKind.ALL_CLEAR:
        return Subscription.wants_all_clear.is_(True)
    return true()


def match_subscribers(db: Session, lat: float, lon: float, *, kind: AlertKind) -> list[Recipient]:
    """Active subscribers whose area covers (lat, lon) and who want alerts of `kind`."""
    cells = [cell_of(lat, lon, resolution) for resolution in RESOLUTIONS]
    # A semi-join (IN) rather than JOIN + DISTINCT: PostgreSQL cannot compare JSON columns.
    in_cells = select(SubscriptionCell.subscription_id).where(SubscriptionCell.cell.in_(cells))
    candidates = db.scalars(
        select(Subscription)
        .where(
            Subscription.id.in_(in_cells),
            Subscription.status == SubscriptionStatus.ACTIVE,
            wanted(kind),
        )
        .order_by(Subscription.id)
    ).all()
    zones = _zones_of(db, candidates)
    return [
        Recipient(s.id, ChannelKind(s.channel), s.language)
        for s in candidates
        if _covers(s, lat, lon, zones)
    ]


def _covers(
    subscription: Subscription, lat: float, lon: float, zones: dict[int, PreparedGeometry]
) -> bool:
    if subscription.area_kind == AreaKind.CIRCLE:
        assert subscription.lat is not None
        assert subscription.lon is not None
        distance = haversine_m(subscription.lat, subscription.lon, lat, lon)
        return distance <= (subscription.radius_m or 0)
    point = Point(lon, lat)
    return any(zones[z].covers(point) for z in subscription.zone_ids or () if z in zones)


def _zones_of(db: Session, candidates: Any) -> dict[int, PreparedGeometry]:
    ids = {z for s in candidates for z in (s.zone_ids or ())}
    if not ids:
        return {}
    rows = db.execute(select(Zone.id, Zone.geometry).where(Zone.id.in_(ids)))
    return {zone_id: prep(shape(geometry)) for zone_id, geometry in rows}
