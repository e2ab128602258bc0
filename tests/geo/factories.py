"""A small gazetteer of real public places in Los Angeles: two zones that overlap, landmarks."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.reports.factories import box
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.geo import landmarks
from vecinos.geo.landmarks import LandmarkFields
from vecinos.geo.zones import create_zone

MARIACHI_PLAZA = (34.0472, -118.2195)
NEAR_MARIACHI_PLAZA = (34.0450, -118.2170)  # about 340 m away
EL_MERCADO = (34.0383, -118.2050)  # 1.7 km away: a different landmark is nearer
BOYLE_HEIGHTS = box(-118.235, 34.020, -118.180, 34.065)
EASTSIDE_WIDE = box(-118.30, 33.95, -118.10, 34.15)  # Westside's big zone around it


def add_gazetteer(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings
) -> dict[str, int]:
    now = cast.clock.now()
    area = settings.service_area_geojson
    with transaction(sessions) as db:
        heights = create_zone(db, cast.eastside, "Boyle Heights", BOYLE_HEIGHTS, now=now)
        wide = create_zone(db, cast.westside, "Eastside Wide", EASTSIDE_WIDE, now=now)
        plaza = landmarks.create_landmark(
            db,
            cast.eastside,
            LandmarkFields("Mariachi Plaza", *MARIACHI_PLAZA),
            service_area_geojson=area,
            now=now,
        )
        mercado = landmarks.create_landmark(
            db,
            cast.westside,
            LandmarkFields("El Mercado de Los Ángeles", *EL_MERCADO),
            service_area_geojson=area,
            now=now,
        )
        return {"heights": heights.id, "wide": wide.id, "plaza": plaza.id, "mercado": mercado.id}


def add_landmark(
    db: Session, org: int, name: str, point: tuple[float, float], settings: Settings, cast: Cast
) -> int:
    made = landmarks.create_landmark(
        db,
        org,
        LandmarkFields(name, *point),
        service_area_geojson=settings.service_area_geojson,
        now=cast.clock.now(),
    )
    return made.id
