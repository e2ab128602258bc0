"""Clustering properties: reports close in space and time always share an incident, reports
far apart never do, and an incident counts its distinct sources exactly."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from math import asin, atan2, cos, degrees, radians, sin

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from tests.reports.factories import submit
from vecinos.config import Settings
from vecinos.geo.cells import cell_of, cells_within
from vecinos.geo.distance import EARTH_RADIUS_M, haversine_m
from vecinos.incidents.models import Incident, IncidentState
from vecinos.reports.clustering import Rules, Sighting, joins, nearest_joinable

NOW = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)
RULES = Rules(radius_m=500, window=timedelta(minutes=45), resolution=8, public_resolution=7)
# No deadline: on a shared, busy machine a first call can take far longer than the rest.
PURE = hypothesis_settings(deadline=None)
DB_EXAMPLES = hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

lats = st.floats(33.9, 34.6)
lons = st.floats(-118.7, -117.9)
bearings = st.floats(0, 360)


def destination(lat: float, lon: float, bearing: float, metres: float) -> tuple[float, float]:
    """The point `metres` away from (lat, lon) along `bearing` (great circle)."""
    phi, lam, theta, delta = radians(lat), radians(lon), radians(bearing), metres / EARTH_RADIUS_M
    phi2 = asin(sin(phi) * cos(delta) + cos(phi) * sin(delta) * cos(theta))
    lam2 = lam + atan2(sin(theta) * sin(delta) * cos(phi), cos(delta) - sin(phi) * sin(phi2))
    return degrees(phi2), degrees(lam2)


def incident_at(lat: float, lon: float, last_seen: datetime, id_: int = 1) -> Incident:
    return Incident(id=id_, lat=lat, lon=lon, last_seen_at=last_seen, state=IncidentState.REPORTED)


@PURE
@given(
    lats,
    lons,
    bearings,
    st.floats(0, 1),
    st.floats(10, 3000),
    st.integers(6, 10),
)
def test_the_cell_search_covers_every_point_within_the_radius(
    lat: float, lon: float, bearing: float, fraction: float, radius: float, resolution: int
) -> None:
    q = destination(lat, lon, bearing, radius * fraction)
    assert cell_of(*q, resolution) in set(cells_within(lat, lon, radius, resolution))


@PURE
@given(lats, lons, bearings, st.floats(0, 0.99), st.floats(-45, 45))
def test_close_in_space_and_time_always_joins(
    lat: float, lon: float, bearing: float, fraction: float, minutes: float
) -> None:
    q = destination(lat, lon, bearing, RULES.radius_m * fraction)
    sighting = Sighting(*q, NOW + timedelta(minutes=minutes))
    assert joins(incident_at(lat, lon, NOW), sighting, RULES)


@PURE
@given(lats, lons, bearings, st.floats(1.01, 20), st.floats(-45, 45))
def test_far_apart_never_joins(
    lat: float, lon: float, bearing: float, factor: float, minutes: float
) -> None:
    q = destination(lat, lon, bearing, RULES.radius_m * factor)
    assert not joins(
        incident_at(lat, lon, NOW), Sighting(*q, NOW + timedelta(minutes=minutes)), RULES
    )


@PURE
@given(lats, lons, st.floats(45.1, 600), st.booleans())
def test_too_far_apart_in_time_never_joins(
    lat: float, lon: float, minutes: float, later: bool
) -> None:
    shift = timedelta(minutes=minutes if later else -minutes)
    assert not joins(incident_at(lat, lon, NOW), Sighting(lat, lon, NOW + shift), RULES)


@PURE
@given(lats, lons, st.lists(st.tuples(bearings, st.floats(0, 0.99)), min_size=1, max_size=6))
def test_the_nearest_fitting_incident_wins(
    lat: float, lon: float, placements: list[tuple[float, float]]
) -> None:
    incidents = [
        incident_at(*destination(lat, lon, b, RULES.radius_m * f), NOW, id_=n)
        for n, (b, f) in enumerate(placements, start=1)
    ]
    chosen = nearest_joinable(incidents, Sighting(lat, lon, NOW), RULES)
    assert chosen is not None
    best = min(haversine_m(i.lat, i.lon, lat, lon) for i in incidents)
    assert haversine_m(chosen.lat, chosen.lon, lat, lon) == best


# --- through the database, with the real service ---------------------------------------------

reports_nearby = st.lists(
    st.tuples(bearings, st.floats(0, 0.99), st.floats(0, 45), st.sampled_from("abcde")),
    min_size=1,
    max_size=8,
)


@DB_EXAMPLES
@given(lats, lons, reports_nearby)
def test_reports_near_the_first_share_its_incident_and_sources_are_counted(
    writer: Session,
    settings: Settings,
    lat: float,
    lon: float,
    nearby: list[tuple[float, float, float, str]],
) -> None:
    start = NOW - timedelta(hours=2)
    tokens = ["device-token-" + letter * 8 for *_, letter in nearby]
    try:
        first = submit(writer, settings, NOW, (lat, lon), device_token=tokens[0], observed_at=start)
        for (bearing, fraction, minutes, _), token in zip(nearby[1:], tokens[1:], strict=True):
            pin = destination(lat, lon, bearing, settings.cluster_radius_m * fraction)
            seen = start + timedelta(minutes=minutes)
            report = submit(writer, settings, NOW, pin, device_token=token, observed_at=seen)
            assert report.incident_id == first.incident_id
        incident = writer.get(Incident, first.incident_id)
        assert incident is not None
        assert incident.report_count == len(nearby)
        assert incident.source_count == len(set(tokens))
    finally:
        writer.rollback()


@DB_EXAMPLES
@given(lats, lons, bearings, st.floats(1.01, 10))
def test_reports_far_apart_open_separate_incidents(
    writer: Session, settings: Settings, lat: float, lon: float, bearing: float, factor: float
) -> None:
    try:
        first = submit(writer, settings, NOW, (lat, lon))
        far = destination(lat, lon, bearing, settings.cluster_radius_m * factor)
        second = submit(writer, settings, NOW, far)
        assert first.incident_id != second.incident_id
    finally:
        writer.rollback()


@DB_EXAMPLES
@given(lats, lons, st.floats(46, 600))
def test_reports_apart_in_time_open_separate_incidents(
    writer: Session, settings: Settings, lat: float, lon: float, minutes: float
) -> None:
    try:
        early = NOW - timedelta(minutes=minutes + 1)
        first = submit(writer, settings, NOW, (lat, lon), observed_at=early)
        second = submit(writer, settings, NOW, (lat, lon), observed_at=NOW - timedelta(minutes=1))
        assert first.incident_id != second.incident_id
    finally:
        writer.rollback()


def test_an_incident_the_session_holds_shows_the_report_that_joined_it(
    writer: Session, settings: Settings
) -> None:
    # A hotline operator's request has the incident loaded when the call's report joins it.
    first = submit(writer, settings, NOW, (34.05, -118.25), device_token="device-token-first")
    incident = writer.get(Incident, first.incident_id)
    assert incident is not None and incident.report_count == 1
    second = submit(writer, settings, NOW, (34.0501, -118.25), device_token="device-token-other")
    assert second.incident_id == incident.id
    assert (incident.report_count, incident.source_count) == (2, 2)
    writer.rollback()


def test_settled_incidents_take_no_new_reports(writer: Session, settings: Settings) -> None:
    first = submit(writer, settings, NOW, (34.05, -118.25))
    incident = writer.get(Incident, first.incident_id)
    assert incident is not None
    incident.state = IncidentState.EXPIRED
    second = submit(writer, settings, NOW, (34.05, -118.25))
    assert second.incident_id != first.incident_id
    writer.rollback()


def test_two_reports_at_once_still_share_one_incident(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    """The second waits for the first's transaction (SQLite's write lock, PostgreSQL's advisory
    locks on the area) and then joins the incident the first one opened."""
    first_done, results = threading.Event(), dict[str, int]()

    def first() -> None:
        with sessions() as db:
            results["first"] = submit(db, settings, NOW, (34.05, -118.25)).incident_id
            first_done.set()
            time.sleep(0.5)  # the second report arrives while this one is uncommitted
            db.commit()

    thread = threading.Thread(target=first)
    thread.start()
    first_done.wait(10)
    with sessions() as db:
        results["second"] = submit(db, settings, NOW, (34.0502, -118.2502)).incident_id
        db.commit()
    thread.join()
    assert results["first"] == results["second"]
