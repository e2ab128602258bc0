"""The gazetteer names a point by its landmark, zone, ZIP code and city; finds places as
someone types (case and accents aside, a ZIP code by its digits); and resolves a pick."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.geo.factories import (
    EL_MERCADO,
    MARIACHI_PLAZA,
    NEAR_MARIACHI_PLAZA,
    add_gazetteer,
)
from tests.reports.factories import box
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.errors import InvalidInput, NotFound
from vecinos.geo.gazetteer import PublicPlace, public_place, resolve_place, search_places
from vecinos.geo.models import Zone


def test_a_point_near_a_landmark_is_named_by_it_its_zone_and_zip(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    add_gazetteer(sessions, cast, settings)
    place = public_place(db, *NEAR_MARIACHI_PLAZA, organization_id=cast.eastside)
    assert place == PublicPlace("Mariachi Plaza", "Boyle Heights", "90033", "Los Angeles")
    assert place.label() == "Mariachi Plaza, Boyle Heights (90033)"
    assert place.forms() == [
        "Mariachi Plaza, Boyle Heights (90033)",
        "Mariachi Plaza (90033)",
        "Boyle Heights (90033)",
        "90033",
    ]


def test_the_nearest_landmark_within_the_radius_wins_and_none_beyond_it(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    add_gazetteer(sessions, cast, settings)
    assert public_place(db, *EL_MERCADO).landmark == "El Mercado de Los Ángeles"
    between = (34.0430, -118.2125)  # ~800 m from each: the nearer one only if in range
    assert public_place(db, *between, landmark_radius_m=100).landmark is None
    far = public_place(db, 34.0300, -118.1850, landmark_radius_m=800)
    assert far.landmark is None and far.zone == "Boyle Heights"


def test_the_smallest_zone_holding_the_point_unless_the_organization_has_its_own(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    add_gazetteer(sessions, cast, settings)
    assert public_place(db, *MARIACHI_PLAZA).zone == "Boyle Heights"
    assert public_place(db, *MARIACHI_PLAZA, organization_id=cast.westside).zone == "Eastside Wide"
    outside_both = (34.20, -118.40)
    place = public_place(db, *outside_both)
    assert place.zone is None and place.area == place.city and place.zip_code


def test_a_name_the_scrubber_refuses_is_left_out_of_the_public_place(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    # A zone named before zone names were checked: its name never reaches a public text.
    with transaction(sessions) as writer:
        old = Zone(
            organization_id=cast.eastside,
            name="Sra. Garcia's block",
            geometry=box(-118.22, 34.04, -118.21, 34.05),
            created_at=cast.clock.now(),
        )
        writer.add(old)
    place = public_place(db, 34.045, -118.215, organization_id=cast.eastside)
    assert place.zone is None
    assert "Garcia" not in place.label() and place.label() == "Los Angeles (90033)"


def test_far_from_any_zip_code_the_place_is_empty(db: Session) -> None:
    place = public_place(db, 0.0, -150.0)
    assert place.empty and place.forms() == [] and place.label() == ""


@pytest.mark.parametrize("typed", ["boyle", "BOYLE HEIGHTS", "  heights", "Boyle  Heights"])
def test_search_finds_zones_whatever_the_case_and_spacing(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session, typed: str
) -> None:
    ids = add_gazetteer(sessions, cast, settings)
    found = search_places(db, typed, 5)
    assert found[0].kind == "zone" and found[0].key == str(ids["heights"])
    assert found[0].name == "Boyle Heights" and found[0].zone_id == ids["heights"]


def test_search_ignores_accents_both_ways(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    ids = add_gazetteer(sessions, cast, settings)
    for typed in ("mercado de los angeles", "MERCADO DE LOS ÁNGELES", "Los Ángeles"):
        hits = [p for p in search_places(db, typed, 10) if p.kind == "landmark"]
        assert [p.key for p in hits] == [str(ids["mercado"])], typed


def test_a_landmark_hit_carries_its_point_zone_and_context(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    ids = add_gazetteer(sessions, cast, settings)
    (hit,) = search_places(db, "mariachi", 10)
    assert (hit.kind, hit.name, hit.detail) == (
        "landmark",
        "Mariachi Plaza",
        "Boyle Heights (90033)",
    )
    assert (hit.lat, hit.lon) == MARIACHI_PLAZA and hit.zone_id == ids["heights"]


def test_a_zip_code_is_found_by_its_digits_inside_the_service_area(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    ids = add_gazetteer(sessions, cast, settings)
    area = settings.service_area_geojson
    (hit,) = search_places(db, "90033", 10, area_geojson=area)
    assert (hit.kind, hit.key, hit.name) == ("zip", "90033", "90033 Los Angeles")
    assert hit.zone_id == ids["heights"]
    several = search_places(db, "9003", 25, area_geojson=area)
    assert [p.key for p in several][:3] == ["90031", "90032", "90033"]
    # New York's ZIP codes are outside the service area; without the area they are found.
    assert search_places(db, "10001", 5, area_geojson=area) == []
    assert search_places(db, "10001", 5)[0].name == "10001 New York"


def test_zip_codes_by_city_come_after_the_coalitions_own_names(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    add_gazetteer(sessions, cast, settings)
    found = search_places(db, "los angeles", 10, area_geojson=settings.service_area_geojson)
    assert found[0].kind == "landmark"  # "El Mercado de Los Ángeles"
    assert {p.kind for p in found[1:]} == {"zip"} and len(found) == 10


@pytest.mark.parametrize("typed", ["", " ", "x", "%", "zzzz-nothing"])
def test_too_short_or_unknown_queries_find_nothing(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session, typed: str
) -> None:
    add_gazetteer(sessions, cast, settings)
    assert search_places(db, typed, 10) == []


def test_a_like_wildcard_in_the_query_is_taken_literally(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    add_gazetteer(sessions, cast, settings)
    assert search_places(db, "m_riachi", 10) == []
    assert search_places(db, "%plaza", 10) == []


def test_resolve_gives_back_the_point_and_zone_of_each_kind(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    ids = add_gazetteer(sessions, cast, settings)
    zone = resolve_place(db, "zone", str(ids["heights"]))
    assert zone.zone_id == ids["heights"] and zone.name == "Boyle Heights"
    assert 34.020 < zone.lat < 34.065 and -118.235 < zone.lon < -118.180
    plaza = resolve_place(db, "landmark", str(ids["plaza"]))
    assert (plaza.lat, plaza.lon, plaza.zone_id) == (*MARIACHI_PLAZA, ids["heights"])
    code = resolve_place(db, "zip", "90033")
    assert code.zone_id == ids["heights"] and code.name == "90033 Los Angeles"


@pytest.mark.parametrize(
    ("kind", "key", "error"),
    [
        ("zone", "999999", NotFound),
        ("zone", "boyle", NotFound),
        ("landmark", "-1", NotFound),
        ("zip", "00000", NotFound),
        ("street", "1", InvalidInput),
    ],
)
def test_resolving_an_unknown_place_is_a_clear_error(
    db: Session, kind: str, key: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as raised:
        resolve_place(db, kind, key)
    assert raised.value.code in ("place_not_found", "unknown_place_kind")  # type: ignore[attr-defined]
