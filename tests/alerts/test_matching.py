"""Geo-matching: H3 candidates, then the exact test; inside matched, outside not."""

from __future__ import annotations

from collections.abc import Iterator
from math import asin, atan2, cos, degrees, radians, sin

import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from vecinos import keyring
from vecinos.alerts import areas, contacts, subscriptions
from vecinos.alerts.matching import match_subscribers
from vecinos.alerts.models import RADII_M, AlertKind, ChannelKind, SubscriptionStatus
from vecinos.alerts.subscriptions import Wants
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.geo.distance import EARTH_RADIUS_M, haversine_m
from vecinos.geo.zones import create_zone

INCIDENT = (34.0339, -118.2106)
# A small square zone around the incident, and one far away in Santa Monica.
NEAR_ZONE = {
    "type": "Polygon",
    "coordinates": [
        [
            [-118.22, 34.025],
            [-118.20, 34.025],
            [-118.20, 34.045],
            [-118.22, 34.045],
            [-118.22, 34.025],
        ]
    ],
}
FAR_ZONE = {
    "type": "Polygon",
    "coordinates": [
        [[-118.50, 34.00], [-118.47, 34.00], [-118.47, 34.03], [-118.50, 34.03], [-118.50, 34.00]]
    ],
}


@pytest.fixture
def writer(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


def north_of(lat: float, lon: float, metres: float) -> tuple[float, float]:
    return lat + metres / 111_195.0, lon


def add(
    db: Session,
    settings: Settings,
    clock: FrozenClock,
    number: str,
    area: areas.Area,
    wants: Wants = Wants(),
    language: str = "en",
) -> int:
    made = subscriptions.subscribe(
        db,
        contacts.phone(number),
        area,
        language,
        wants,
        now=clock.now(),
        settings=settings,
        vault=keyring.subscribers(settings),
    )
    made.subscription.status = SubscriptionStatus.ACTIVE  # opt-in is tested elsewhere
    db.flush()
    return made.subscription.id


def test_inside_subscribers_are_matched_and_outside_ones_are_not(
    writer: Session, settings: Settings, clock: FrozenClock, cast: Cast
) -> None:
    lat, lon = INCIDENT
    near = create_zone(writer, cast.eastside, "Boyle Heights", NEAR_ZONE, now=clock.now())
    far = create_zone(writer, cast.eastside, "Santa Monica", FAR_ZONE, now=clock.now())
    inside_1km = add(
        writer, settings, clock, "213-555-0101", areas.circle(*north_of(lat, lon, 950), 1000)
    )
    edge_out = add(
        writer, settings, clock, "213-555-0102", areas.circle(*north_of(lat, lon, 1050), 1000)
    )
    inside_10 = add(
        writer,
        settings,
        clock,
        "213-555-0103",
        areas.circle(*north_of(lat, lon, 9000), 10000),
        language="es",
    )
    outside_5 = add(
        writer, settings, clock, "213-555-0104", areas.circle(*north_of(lat, lon, 5300), 5000)
    )
    in_zone = add(writer, settings, clock, "213-555-0105", areas.zones(writer, [near.id]))
    out_zone = add(writer, settings, clock, "213-555-0106", areas.zones(writer, [far.id]))
    both = add(writer, settings, clock, "213-555-0107", areas.zones(writer, [far.id, near.id]))
    writer.commit()

    found = match_subscribers(writer, lat, lon, kind=AlertKind.CONFIRMED)
    ids = sorted(r.subscription_id for r in found)
    assert ids == sorted([inside_1km, inside_10, in_zone, both])
    assert edge_out not in ids and outside_5 not in ids and out_zone not in ids
    spanish = next(r for r in found if r.subscription_id == inside_10)
    assert spanish.language == "es" and spanish.channel == ChannelKind.SMS


def test_the_cell_cover_never_misses_a_point_inside_the_circle(
    writer: Session, settings: Settings, clock: FrozenClock
) -> None:
    lat, lon = INCIDENT
    ids = []
    for i, (bearing_lat, bearing_lon) in enumerate([(1, 0), (0, 1), (-1, 0), (0, -1), (0.7, 0.7)]):
        # Each subscriber's centre lies 99% of its radius away from the incident.
        for j, radius in enumerate((1000, 2000, 5000, 10000)):
            d = radius * 0.99
            centre = (lat + bearing_lat * d / 111_195.0, lon + bearing_lon * d / 92_180.0)
            if haversine_m(*centre, lat, lon) <= radius:
                ids.append(
                    add(
                        writer,
                        settings,
                        clock,
                        f"213-555-{i}{j:03d}",
                        areas.circle(*centre, radius),
                    )
                )
    writer.commit()
    found = {r.subscription_id for r in match_subscribers(writer, lat, lon, kind=AlertKind.UPDATE)}
    assert found == set(ids) and len(ids) >= 16


def test_kinds_go_to_those_who_asked_and_only_active_subscribers(
    writer: Session, settings: Settings, clock: FrozenClock
) -> None:
    circle = areas.circle(*INCIDENT, 2000)
    everything = add(writer, settings, clock, "213-555-0111", circle, Wants(True, True))
    rumours = add(writer, settings, clock, "213-555-0112", circle, Wants(rumour_control=True))
    plain = add(writer, settings, clock, "213-555-0113", circle)
    stopped = add(writer, settings, clock, "213-555-0114", circle, Wants(True, True))
    subscriptions.stop_texts(
        writer, contacts.phone("+12135550114"), now=clock.now(), settings=settings
    )
    writer.commit()

    def ids(kind: AlertKind) -> list[int]:
        return sorted(r.subscription_id for r in match_subscribers(writer, *INCIDENT, kind=kind))

    assert ids(AlertKind.CONFIRMED) == [everything, rumours, plain]
    assert ids(AlertKind.UNCONFIRMED) == [everything, rumours, plain]
    assert ids(AlertKind.RUMOUR_CONTROL) == [everything, rumours]
    assert ids(AlertKind.ALL_CLEAR) == [everything]
    assert stopped not in ids(AlertKind.CONFIRMED)


def destination(lat: float, lon: float, metres: float, bearing_deg: float) -> tuple[float, float]:
    """The point `metres` from (lat, lon) along `bearing_deg`, on the sphere H3 uses."""
    delta, theta, phi1 = metres / EARTH_RADIUS_M, radians(bearing_deg), radians(lat)
    phi2 = asin(sin(phi1) * cos(delta) + cos(phi1) * sin(delta) * cos(theta))
    dlambda = atan2(sin(theta) * sin(delta) * cos(phi1), cos(delta) - sin(phi1) * sin(phi2))
    return degrees(phi2), (lon + degrees(dlambda) + 540) % 360 - 180


circles_around = st.lists(
    st.tuples(
        st.floats(0, 12_000),  # how far the subscriber's centre is from the incident
        st.floats(0, 360),  # in which direction
        st.sampled_from(RADII_M),
    ),
    min_size=1,
    max_size=12,
)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    incident=st.tuples(st.floats(-70, 70), st.floats(-180, 180)),
    placed=circles_around,
)
def test_circle_matching_agrees_with_the_exact_distance_anywhere(
    writer: Session,
    settings: Settings,
    clock: FrozenClock,
    incident: tuple[float, float],
    placed: list[tuple[float, float, int]],
) -> None:
    lat, lon = incident
    expected = set()
    try:
        for n, (metres, bearing, radius) in enumerate(placed):
            centre = destination(lat, lon, metres, bearing)
            # Matching decides to the centimetre: a centre within a few of the edge may go
            # either way.
            assume(abs(haversine_m(*centre, lat, lon) - radius) > 0.05)
            made = add(writer, settings, clock, f"213-555-{n:04d}", areas.circle(*centre, radius))
            if haversine_m(*centre, lat, lon) <= radius:
                expected.add(made)
        found = match_subscribers(writer, lat, lon, kind=AlertKind.CONFIRMED)
        assert {r.subscription_id for r in found} == expected
    finally:
        writer.rollback()
