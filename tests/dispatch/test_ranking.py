"""Ranking: the H3 search never misses anyone in range, the order weighs capabilities."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.dispatch.factories import SCENE, add_responder, make_incident, north, on_shift
from vecinos.db import transaction
from vecinos.dispatch import shifts
from vecinos.dispatch.models import DispatchRequest, Offer, OfferState, RequestState, Stage
from vecinos.dispatch.ranking import (
    RESPONDER_RESOLUTION,
    Needs,
    ShiftRow,
    order_candidates,
    search_cells,
    select_candidates,
)
from vecinos.geo.cells import cell_of
from vecinos.geo.distance import haversine_m


def row(
    shift_id: int,
    metres: float,
    *,
    car: bool = False,
    legal: bool = False,
    languages: tuple[str, ...] = (),
) -> ShiftRow:
    lat, lon = north(metres)
    return ShiftRow(
        shift_id=shift_id,
        member_id=shift_id,
        organization_id=1,
        lat=lat,
        lon=lon,
        has_car=car,
        legal_observer=legal,
        languages=languages,
    )


def order(rows: list[ShiftRow], needs: Needs = Needs(), radius: float = 3000) -> list[int]:
    ranked = order_candidates(
        rows, lat=SCENE[0], lon=SCENE[1], radius_m=radius, needs=needs, penalty_m=1500, limit=10
    )
    return [c.shift.shift_id for c in ranked]


def test_nearest_first_and_nobody_beyond_the_radius() -> None:
    assert order([row(1, 900), row(2, 100), row(3, 3100), row(4, 500)]) == [2, 4, 1]


def test_a_wanted_capability_outweighs_a_little_distance_but_not_a_lot() -> None:
    rows = [row(1, 100), row(2, 1000, legal=True), row(3, 2500, legal=True)]
    assert order(rows, Needs(legal_observer=True)) == [2, 1, 3]
    assert order(rows) == [1, 2, 3]


def test_languages_and_cars_count_too() -> None:
    rows = [row(1, 100), row(2, 600, languages=("es",)), row(3, 700, car=True)]
    assert order(rows, Needs(language="es")) == [2, 1, 3]
    assert order(rows, Needs(car=True)) == [3, 1, 2]
    assert order(rows, Needs(car=True, language="es")) == [2, 3, 1]


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(-80, 80),
    lon=st.floats(-179.9, 179.9),
    radius=st.floats(100, 15000),
    bearing=st.floats(0, 360),
    fraction=st.floats(0, 1),
)
def test_the_cell_disk_holds_every_point_within_the_radius(
    lat: float, lon: float, radius: float, bearing: float, fraction: float
) -> None:
    """The index search is only an optimisation: it may never drop someone in range."""
    distance = radius * fraction
    # A point `distance` away in direction `bearing` (spherical destination formula).
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    theta, delta = math.radians(bearing), distance / 6_371_008.8
    phi2 = math.asin(
        math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    )
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * math.sin(phi2),
    )
    point = math.degrees(phi2), (math.degrees(lambda2) + 540) % 360 - 180
    assert haversine_m(lat, lon, *point) <= radius + 1e-6
    cells = search_cells(lat, lon, radius)
    if cells is not None:  # None means "too wide: scan without the index"
        assert cell_of(*point, RESPONDER_RESOLUTION) in cells


def test_the_database_search_keeps_only_available_responders(
    sessions: sessionmaker[Session], cast: Cast, db: Session
) -> None:
    on_shift(sessions, cast, cast.rosa, north(100))
    busy = add_responder(sessions, cast, "busy")
    on_shift(sessions, cast, busy, north(200))
    stale = add_responder(sessions, cast, "stale")
    on_shift(sessions, cast, stale, north(300))
    far = add_responder(sessions, cast, "far")
    on_shift(sessions, cast, far, north(40_000))
    walter = add_responder(sessions, cast, "walter", cast.westside)
    on_shift(sessions, cast, walter, north(150), organization_id=cast.westside)
    off = add_responder(sessions, cast, "off")
    on_shift(sessions, cast, off, north(250))
    cast.clock.advance(minutes=61)
    fresh = add_responder(sessions, cast, "fresh")
    on_shift(sessions, cast, fresh, north(400))
    incident_id = make_incident(sessions, cast)
    now = cast.clock.now()
    with transaction(sessions) as session:
        for person in (cast.rosa, busy, walter, off, far):  # they moved recently
            shift = shifts.open_shift_of(session, person.member_id)
            assert shift is not None
            shifts.move(session, shift, shift.lat or 0, shift.lon or 0, now=now)
        shift = shifts.open_shift_of(session, off.member_id)
        assert shift is not None
        shifts.check_out(session, shift, now=now)
        _busy_with_an_offer(session, incident_id, cast.eastside, busy.member_id, now)

    def search(orgs: list[int] | None) -> set[int]:
        rows = select_candidates(
            db,
            lat=SCENE[0],
            lon=SCENE[1],
            radius_m=3000,
            organization_ids=orgs,
            now=now,
            location_max_age=timedelta(minutes=60),
        )
        return {r.member_id for r in rows}

    assert search([cast.eastside]) == {cast.rosa.member_id, fresh.member_id}
    assert search(None) == {cast.rosa.member_id, fresh.member_id, walter.member_id}


def test_the_database_decides_the_radius_to_the_metre(
    sessions: sessionmaker[Session], cast: Cast, db: Session
) -> None:
    """The exact haversine test runs in SQL: just inside comes back, just outside does not,
    on both databases (wide and narrow searches alike)."""
    inside = add_responder(sessions, cast, "inside")
    on_shift(sessions, cast, inside, north(2995))
    outside = add_responder(sessions, cast, "outside")
    on_shift(sessions, cast, outside, north(3005))
    make_incident(sessions, cast)

    def search(radius_m: float) -> set[int]:
        rows = select_candidates(
            db,
            lat=SCENE[0],
            lon=SCENE[1],
            radius_m=radius_m,
            organization_ids=None,
            now=cast.clock.now(),
            location_max_age=timedelta(minutes=60),
        )
        return {r.member_id for r in rows}

    assert search(3000) == {inside.member_id}
    assert search(3010) == {inside.member_id, outside.member_id}
    assert search(2990) == set()
    assert search(200_000) == {inside.member_id, outside.member_id}  # no cells: a plain scan


def _busy_with_an_offer(
    db: Session, incident_id: int, organization_id: int, member_id: int, now: datetime
) -> None:
    request = DispatchRequest(
        incident_id=incident_id,
        organization_id=1,
        requested_at=now,
        state=RequestState.OPEN,
        stage=Stage.NEAR,
        round=1,
        radius_m=3000,
        needed=1,
        accepted=0,
        deadline_at=now,
    )
    db.add(request)
    db.flush()
    db.add(
        Offer(
            request_id=request.id,
            incident_id=incident_id,
            member_id=member_id,
            organization_id=request.organization_id,
            round=1,
            rank=1,
            state=OfferState.ACCEPTED,
            offered_at=now,
            expires_at=now,
        )
    )
