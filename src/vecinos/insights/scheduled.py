"""Scheduled coverage beside the reached/unreached map: where planned shifts were (or will be)
short of people, over the dashboard's period and the coming week. Counts only: no names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.coverage.models import Schedule, Site, Slot
from vecinos.geo.cells import cell_of
from vecinos.geo.models import Landmark, Zone
from vecinos.insights import svg
from vecinos.insights.facts import Scope
from vecinos.shapes import parse_area, point_inside

AHEAD = timedelta(days=7)
RESOLUTION = 7  # the coarse public cells of the reached/unreached map
GAP, PARTIAL, COVERED = "#b2182b", "#f4a582", "#2166ac"


@dataclass
class PlaceCoverage:
    name: str
    cell: str | None  # None for shifts of the whole organization (no place to draw)
    slots: int = 0
    short: int = 0
    missing: int = 0  # people still needed, all slots together
    titles: set[str] = field(default_factory=set)

    @property
    def fill(self) -> str:
        if self.short == 0:
            return COVERED
        return GAP if self.short == self.slots else PARTIAL


def _points(db: Session, schedules: Sequence[Schedule]) -> dict[int, tuple[str, float, float]]:
    """Each schedule's place: its site's landmark, or a point inside its zone."""
    sites = {
        row.id: (row.name, row.lat, row.lon)
        for row in db.execute(
            select(Site.id, Landmark.name, Landmark.lat, Landmark.lon)
            .join(Landmark, Landmark.id == Site.landmark_id)
            .where(Site.id.in_({s.site_id for s in schedules if s.site_id}))
        )
    }
    zones: dict[int, tuple[str, float, float]] = {}
    for zone in db.scalars(
        select(Zone).where(Zone.id.in_({s.zone_id for s in schedules if s.zone_id}))
    ):
        lon, lat = point_inside(parse_area(zone.geometry))
        zones[zone.id] = (zone.name, lat, lon)
    found: dict[int, tuple[str, float, float]] = {}
    for schedule in schedules:
        place = sites.get(schedule.site_id or 0) or zones.get(schedule.zone_id or 0)
        if place is not None:
            found[schedule.id] = place
    return found


def coverage(db: Session, scope: Scope, since: datetime, until: datetime) -> list[PlaceCoverage]:
    """Per place, the slots starting in [since, until + a week) and how many were short."""
    query = select(Slot).where(
        Slot.starts_at >= since, Slot.starts_at < until + AHEAD, Slot.cancelled_at.is_(None)
    )
    if scope.organization_id is not None:
        query = query.where(Slot.organization_id == scope.organization_id)
    slots = db.scalars(query).all()
    schedules = {
        s.id: s
        for s in db.scalars(select(Schedule).where(Schedule.id.in_({x.schedule_id for x in slots})))
    }
    points = _points(db, list(schedules.values()))
    places: dict[str, PlaceCoverage] = {}
    for slot in slots:
        point = points.get(slot.schedule_id)
        key = point[0] if point else ""
        if key not in places:
            cell = cell_of(point[1], point[2], RESOLUTION) if point else None
            places[key] = PlaceCoverage(key, cell)
        place = places[key]
        place.slots += 1
        place.titles.add(schedules[slot.schedule_id].title)
        if slot.filled < slot.needed:
            place.short += 1
            place.missing += slot.needed - slot.filled
    return sorted(places.values(), key=lambda p: (-p.short, p.name))


def chart_parts(
    places: Sequence[PlaceCoverage], _: Callable[[str], str]
) -> tuple[str, str, list[svg.HexCell], list[tuple[str, str]]]:
    title = _("Scheduled coverage: planned shifts short of people")
    desc = _(
        "Each hexagon holds fixed posts and zones with scheduled shifts in the period and the"
        " coming week. Red: every shift there was short of people; orange: some; blue: all"
        " staffed."
    )
    hexes = [
        svg.HexCell(
            p.cell,
            p.fill,
            _("%(place)s: %(short)s of %(slots)s shifts short, %(missing)s people missing")
            % {"place": p.name, "short": p.short, "slots": p.slots, "missing": p.missing},
        )
        for p in places
        if p.cell is not None
    ]
    legend = [
        (GAP, _("Every planned shift short")),
        (PARTIAL, _("Some planned shifts short")),
        (COVERED, _("Every planned shift staffed")),
    ]
    return title, desc, hexes, legend
