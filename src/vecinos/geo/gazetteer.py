"""The gazetteer: places by the names people know them by.

Three sources: the coalition's zones (neighbourhood names), the landmarks coordinators add
(schools, parks, plazas) and US ZIP codes with their city (`postal`, offline). Four uses:

- `public_place(db, lat, lon)`: the coarse public place of a point as structured parts
  (landmark?, zone?, ZIP, city), which alert texts put into words: "Mariachi Plaza, Boyle
  Heights (90033)". Every part is a name from the gazetteer; nothing anyone typed about the
  event itself. A part the scrubber would refuse is left out.
- `area_near(db, lat, lon)`: the neighbourhood and ZIP around a pin, coarsened.
- `search_places(db, query, limit)`: what a location picker offers as someone types.
- `resolve_place(db, kind, key)`: a picked place back to its point and zone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from math import cos, radians
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos import scrubber
from vecinos.errors import InvalidInput, NotFound
from vecinos.geo import postal
from vecinos.geo.distance import haversine_m
from vecinos.geo.models import Landmark, Zone
from vecinos.geo.names import fold
from vecinos.i18n import N_
from vecinos.shapes import Area, contains, prepared_area

LANDMARK_RADIUS_M = 800.0  # a landmark further than this from the point is not "near" it
METRES_PER_DEGREE = 111_320.0
KINDS = ("zone", "landmark", "zip")
MIN_QUERY = 2


# ---- the public place of a point --------------------------------------------------------------


@dataclass(frozen=True)
class PublicPlace:
    """A point's public place in parts; `forms()` puts them into words, most specific first."""

    landmark: str | None = None
    zone: str | None = None
    zip_code: str | None = None
    city: str | None = None

    @property
    def area(self) -> str | None:
        """The neighbourhood when a zone names it, else the city."""
        return self.zone or self.city

    @property
    def empty(self) -> bool:
        return not (self.landmark or self.area or self.zip_code)

    def forms(self) -> list[str]:
        """Every way to say the place, longest and most specific first, without repeats:
        "Mariachi Plaza, Boyle Heights (90033)", "Mariachi Plaza (90033)",
        "Boyle Heights (90033)", "90033". A text takes the first that fits its length."""
        zip_part = f" ({self.zip_code})" if self.zip_code else ""
        names = [
            ", ".join(n for n in (self.landmark, self.area) if n),
            self.landmark,
            self.area,
        ]
        found = [f"{name}{zip_part}" for name in names if name]
        if self.zip_code:
            found.append(self.zip_code)
        return list(dict.fromkeys(found))

    def label(self) -> str:
        forms = self.forms()
        return forms[0] if forms else ""

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, parts: dict[str, Any] | None) -> PublicPlace:
        parts = parts or {}
        return cls(**{k: parts.get(k) for k in ("landmark", "zone", "zip_code", "city")})


def public_place(
    db: Session,
    lat: float,
    lon: float,
    *,
    landmark_radius_m: float = LANDMARK_RADIUS_M,
    organization_id: int | None = None,
) -> PublicPlace:
    """The named places at (lat, lon): the nearest landmark within `landmark_radius_m`, the
    zone that holds the point (the organization's own first, then the smallest), the nearest
    ZIP code and its city. Empty (`.empty`) where the gazetteer knows nothing there."""
    landmark = nearest_landmark(db, lat, lon, landmark_radius_m)
    area = _area_at(db, lat, lon, organization_id)
    return replace(area, landmark=_publishable(landmark.name if landmark else None))


# About a kilometre: enough to name a neighbourhood, too coarse to find a house.
AREA_PRECISION_DECIMALS = 2


def area_near(db: Session, lat: float, lon: float) -> PublicPlace:
    """The neighbourhood (or city) and ZIP code around a point, with no landmark: what a pin
    on a resident's map is named by instead of its coordinates. The point is rounded first,
    so the name says no more about where someone lives than the area it gives."""
    return _area_at(db, round(lat, AREA_PRECISION_DECIMALS), round(lon, AREA_PRECISION_DECIMALS))


def _area_at(
    db: Session, lat: float, lon: float, organization_id: int | None = None
) -> PublicPlace:
    """The zone holding the point (the organization's own first, then the smallest), the
    nearest ZIP code and its city; no landmark."""
    zone = ZoneIndex.load(db).at(lat, lon, organization_id)
    code = postal.nearest(lat, lon)
    return PublicPlace(
        zone=_publishable(zone.name if zone else None),
        zip_code=code.code if code else None,
        city=_publishable(code.city if code else None),
    )


def _publishable(name: str | None) -> str | None:
    """A name the scrubber would refuse (a zone called after someone's house) stays out."""
    return name if name and not scrubber.scan(name) else None


def nearest_landmark(db: Session, lat: float, lon: float, radius_m: float) -> Landmark | None:
    dlat = radius_m / METRES_PER_DEGREE
    dlon = radius_m / (METRES_PER_DEGREE * max(0.01, cos(radians(lat))))
    near = db.scalars(
        select(Landmark).where(
            Landmark.lat.between(lat - dlat, lat + dlat),
            Landmark.lon.between(lon - dlon, lon + dlon),
        )
    ).all()
    measured = sorted((haversine_m(lat, lon, m.lat, m.lon), m.id, m) for m in near)
    return next((m for d, _, m in measured if d <= radius_m), None)


@dataclass(frozen=True)
class ZoneShape:
    id: int
    organization_id: int
    name: str
    search_key: str
    area: Area

    @cached_property
    def point(self) -> tuple[float, float]:
        """A point inside the zone (lat, lon): its centre when that lies inside."""
        inside = self.area.representative_point()
        return float(inside.y), float(inside.x)


class ZoneIndex:
    """Every zone's outline, loaded once per question: a coalition has hundreds, not more."""

    def __init__(self, zones: Sequence[ZoneShape]) -> None:
        self.zones = zones
        self.by_id = {z.id: z for z in zones}

    @classmethod
    def load(cls, db: Session) -> ZoneIndex:
        rows = db.execute(
            select(Zone.id, Zone.organization_id, Zone.name, Zone.search_key, Zone.geometry)
        )
        return cls(
            [
                ZoneShape(id_, org, name, key, prepared_area(json.dumps(geometry, sort_keys=True)))
                for id_, org, name, key, geometry in rows
            ]
        )

    def at(self, lat: float, lon: float, organization_id: int | None = None) -> ZoneShape | None:
        holding = [z for z in self.zones if contains(z.area, lon, lat)]
        own = [z for z in holding if z.organization_id == organization_id]
        return min(own or holding, key=lambda z: (z.area.area, z.id), default=None)


# ---- searching and resolving ----------------------------------------------------------------


@dataclass(frozen=True)
class NamedPlace:
    """A place a picker offers: its kind and stable key, the name shown, a line of context,
    a representative point (inside the zone, for a zone) and the zone holding that point."""

    kind: str  # zone, landmark, zip
    key: str  # the zone's or landmark's id, the ZIP code's digits
    name: str
    detail: str | None
    lat: float
    lon: float
    zone_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def search_places(
    db: Session, query: str, limit: int = 10, *, area_geojson: str | None = None
) -> list[NamedPlace]:
    """Zones, landmarks and ZIP codes matching `query`, case and accents aside; a ZIP code by
    its first digits or its city. With `area_geojson` (the service area), only ZIP codes
    inside it: a picker has no use for the rest of the country. The coalition's own names come
    first, then ZIP codes; within each, the same name, then names that start so, then the
    rest."""
    wanted = fold(query)
    if len(wanted) < MIN_QUERY or limit < 1:
        return []
    zones = ZoneIndex.load(db)
    scored = [
        *_zone_hits(zones, wanted),
        *_landmark_hits(db, zones, wanted),
        *_zip_hits(zones, wanted, area_geojson),
    ]
    scored.sort(key=lambda pair: pair[0])
    return [place for _, place in scored[:limit]]


def _rank(name_key: str, wanted: str) -> int | None:
    """0 the same name, 1 it starts so, 2 a word starts so, 3 somewhere inside; None: no."""
    if name_key == wanted:
        return 0
    if name_key.startswith(wanted):
        return 1
    if f" {wanted}" in f" {name_key}":
        return 2
    return 3 if wanted in name_key else None


# (0 the coalition's names or 1 ZIP codes, `_rank`, name): the order hits are offered in.
Scored = tuple[tuple[int, int, str], NamedPlace]


def _zone_hits(zones: ZoneIndex, wanted: str) -> Iterable[Scored]:
    for zone in zones.zones:
        rank = _rank(zone.search_key, wanted)
        if rank is not None:
            lat, lon = zone.point
            code = postal.nearest(lat, lon)
            detail = code.city if code else None
            yield (
                (0, rank, zone.search_key),
                NamedPlace("zone", str(zone.id), zone.name, detail, lat, lon, zone.id),
            )


def _landmark_hits(db: Session, zones: ZoneIndex, wanted: str) -> Iterable[Scored]:
    query = select(Landmark).where(Landmark.search_key.contains(wanted, autoescape=True))
    for landmark in db.scalars(query.order_by(Landmark.search_key).limit(200)):
        rank = _rank(landmark.search_key, wanted)
        if rank is None:
            continue
        yield (0, rank, landmark.search_key), _landmark_place(landmark, zones)


def _landmark_place(landmark: Landmark, zones: ZoneIndex) -> NamedPlace:
    zone = zones.at(landmark.lat, landmark.lon, landmark.organization_id)
    code = postal.nearest(landmark.lat, landmark.lon)
    detail = PublicPlace(zone=zone.name if zone else None, zip_code=code.code if code else None)
    return NamedPlace(
        "landmark",
        str(landmark.id),
        landmark.name,
        detail.label() or None,
        landmark.lat,
        landmark.lon,
        zone.id if zone else None,
    )


def _zip_hits(zones: ZoneIndex, wanted: str, area_geojson: str | None) -> Iterable[Scored]:
    digits = wanted.replace(" ", "")
    if digits.isdigit():
        found: Iterable[postal.ZipCode] = postal.starting_with(digits)
    else:
        found = postal.in_city(wanted)
    area = prepared_area(area_geojson) if area_geojson else None
    for code in found:
        if area is not None and not contains(area, code.lon, code.lat):
            continue
        rank = _rank(code.code if digits.isdigit() else code.city_key, wanted)
        if rank is not None:
            yield (1, rank, code.code), _zip_place(code, zones)


def _zip_place(code: postal.ZipCode, zones: ZoneIndex) -> NamedPlace:
    zone = zones.at(code.lat, code.lon)
    name = f"{code.code} {code.city}"
    return NamedPlace(
        "zip", code.code, name, code.state, code.lat, code.lon, zone.id if zone else None
    )


def resolve_place(db: Session, kind: str, key: str) -> NamedPlace:
    """A picked place (kind and key from `search_places`) as it stands now."""
    zones = ZoneIndex.load(db)
    if kind == "zone":
        zone = zones.by_id.get(_number(key))
        if zone is not None:
            lat, lon = zone.point
            return NamedPlace("zone", key, zone.name, None, lat, lon, zone.id)
    elif kind == "landmark":
        landmark = db.get(Landmark, _number(key))
        if landmark is not None:
            return _landmark_place(landmark, zones)
    elif kind == "zip":
        code = postal.by_code(key)
        if code is not None:
            return _zip_place(code, zones)
    else:
        raise InvalidInput(
            N_("A place is a zone, a landmark or a ZIP code, not '{kind}'."),
            params={"kind": kind},
            code="unknown_place_kind",
        )
    raise NotFound(N_("No such place."), code="place_not_found")


def _number(key: str) -> int:
    return int(key) if key.isdigit() and len(key) < 10 else -1
