"""Fixed posts: a landmark of the organization's gazetteer watched on a schedule.

A site's name and point are its landmark's (public places already, checked by the scrubber
when they were added), so there is one place table, not two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from vecinos.alerts.models import RADII_M
from vecinos.coverage.models import Site, SiteKind
from vecinos.errors import Conflict, InvalidInput, NotFound
from vecinos.geo.models import Landmark
from vecinos.i18n import N_


@dataclass(frozen=True)
class SiteView:
    site: Site
    name: str
    lat: float
    lon: float


def create_site(
    db: Session,
    organization_id: int,
    landmark_id: int,
    kind: SiteKind,
    *,
    radius_m: int = 1000,
    now: datetime,
) -> Site:
    landmark = db.get(Landmark, landmark_id)
    if landmark is None or landmark.organization_id != organization_id:
        raise NotFound(
            N_("Your organization has no such landmark; add the place first."),
            code="landmark_not_found",
        )
    if radius_m not in RADII_M:
        raise InvalidInput(
            N_("Choose a radius of {radii} metres."),
            params={"radii": ", ".join(str(r) for r in RADII_M)},
            code="radius_not_offered",
        )
    if db.scalar(select(Site.id).where(Site.landmark_id == landmark_id)) is not None:
        raise Conflict(N_("This place is already a site."), code="duplicate_site")
    site = Site(
        organization_id=organization_id,
        landmark_id=landmark_id,
        kind=kind,
        radius_m=radius_m,
        created_at=now,
    )
    db.add(site)
    db.flush()
    return site


SiteQuery = Select[Site, str, float, float]


def _views(db: Session, query: SiteQuery) -> list[SiteView]:
    return [SiteView(site, name, lat, lon) for site, name, lat, lon in db.execute(query).all()]


def _query() -> SiteQuery:
    return (
        select(Site, Landmark.name, Landmark.lat, Landmark.lon)
        .join(Landmark, Landmark.id == Site.landmark_id)
        .order_by(Landmark.name, Site.id)
    )


def sites_of(db: Session, organization_id: int) -> list[SiteView]:
    return _views(db, _query().where(Site.organization_id == organization_id))


def all_sites(db: Session, kinds: Sequence[SiteKind] = ()) -> list[SiteView]:
    """Every organization's sites: public places, listed for residents to subscribe to."""
    query = _query()
    if kinds:
        query = query.where(Site.kind.in_([k.value for k in kinds]))
    return _views(db, query)


def site_view(db: Session, site_id: int, organization_id: int | None = None) -> SiteView:
    found = _views(db, _query().where(Site.id == site_id))
    if not found or organization_id not in (None, found[0].site.organization_id):
        raise NotFound(N_("No such site."), code="site_not_found")
    return found[0]
