"""Who should verify an incident: checked-in, available responders, nearest and best suited.

Two steps. `select_candidates` asks the database for open, recently located shifts in the H3
cells that can hold a point within the radius (an indexed `IN`), skipping busy responders and
testing the exact haversine radius in the same query, so only the responders inside come
back. `order_candidates` then sorts them by distance plus a penalty for each wanted
capability they lack, so a legal observer a little farther away comes before a closer
responder without one, but not one across the county.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, String, bindparam, cast, exists, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Exists

from vecinos.accounts.models import Role, RoleGrant
from vecinos.db import UTCDateTime
from vecinos.dispatch.models import ACTIVE_STATES, PENDING_STATES, Offer, Shift
from vecinos.geo.cells import cell_of, cells_reaching, ring_for_radius
from vecinos.geo.distance import haversine_m, point_params, within_m_sql
from vecinos.training.qualification import LEGAL_OBSERVER, qualified_clause

# Resolution of responders' cells: edges of ~1.2 km keep a 3 km disk to 37 cells and the
# widest radius to a few hundred.
RESPONDER_RESOLUTION = 7
MAX_DISK_RINGS = 25  # wider than this, an exact scan of open shifts is cheaper than IN (...)


@dataclass(frozen=True)
class Needs:
    """Capabilities a dispatcher prefers for this verification (preferences, not filters)."""

    legal_observer: bool = False
    car: bool = False
    language: str | None = None


@dataclass(frozen=True)
class ShiftRow:
    """What ranking needs of a shift, decoupled from the ORM (and cheap to build in bulk)."""

    shift_id: int
    member_id: int
    organization_id: int
    lat: float
    lon: float
    has_car: bool
    legal_observer: bool
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    shift: ShiftRow
    distance_m: float
    missing: int  # wanted capabilities this responder lacks
    score: float  # distance plus penalties; lower is better


def missing_capabilities(row: ShiftRow, needs: Needs) -> int:
    missing = 0
    if needs.legal_observer and not row.legal_observer:
        missing += 1
    if needs.car and not row.has_car:
        missing += 1
    if needs.language and needs.language.lower() not in row.languages:
        missing += 1
    return missing


def order_candidates(
    rows: Iterable[ShiftRow],
    *,
    lat: float,
    lon: float,
    radius_m: float,
    needs: Needs,
    penalty_m: float,
    limit: int,
) -> list[Candidate]:
    """Exact distance filter, then best first; ties broken by shift id for stable results."""
    ranked: list[Candidate] = []
    for row in rows:
        distance = haversine_m(lat, lon, row.lat, row.lon)
        if distance > radius_m:
            continue
        missing = missing_capabilities(row, needs)
        ranked.append(Candidate(row, distance, missing, distance + missing * penalty_m))
    ranked.sort(key=lambda c: (c.score, c.shift.shift_id))
    return ranked[:limit]


def _busy_member() -> Exists:
    """A responder holding an offer, or working one, is not available for another."""
    return exists().where(
        Offer.member_id == Shift.member_id,
        Offer.state.in_([s.value for s in PENDING_STATES | ACTIVE_STATES]),
    )


def _still_a_responder() -> Exists:
    """A role revoked mid-shift takes the person off dispatch at once."""
    return exists().where(
        RoleGrant.member_id == Shift.member_id,
        RoleGrant.organization_id == Shift.organization_id,
        RoleGrant.role == Role.RESPONDER.value,
    )


def search_cells(lat: float, lon: float, radius_m: float) -> list[str] | None:
    """The responder cells to look in, or None when the disk is too wide to be worth it."""
    origin = cell_of(lat, lon, RESPONDER_RESOLUTION)
    if ring_for_radius(origin, radius_m) > MAX_DISK_RINGS:
        return None
    return cells_reaching(lat, lon, radius_m, RESPONDER_RESOLUTION)


def select_candidates(
    db: Session,
    *,
    lat: float,
    lon: float,
    radius_m: float,
    organization_ids: Collection[int] | None,
    exclude_organization_ids: Collection[int] = (),
    exclude_members: Collection[int] = (),
    now: datetime,
    location_max_age: timedelta,
    trained_observers_only: bool = False,
) -> list[ShiftRow]:
    """Open, recently located, available shifts within `radius_m`; with
    `trained_observers_only`, only volunteers vetted and trained as legal observers now."""
    cells = search_cells(lat, lon, radius_m)
    query = _candidate_query(
        cells is not None,
        organization_ids is not None,
        bool(exclude_organization_ids),
        bool(exclude_members),
        trained_observers_only,
    )
    params = {
        "cutoff": now - location_max_age,
        "now": now,
        "cells": cells or [],
        "orgs": list(organization_ids or ()),
        "other_orgs": list(exclude_organization_ids),
        "members": list(exclude_members),
        "radius_m": radius_m,
        **point_params(lat, lon),
    }
    # Core, not the ORM: these are plain columns, and ranking runs on every dispatch.
    return [_row(*r) for r in db.connection().execute(query, params)]


@cache
def _candidate_query(
    by_cells: bool, in_orgs: bool, not_in_orgs: bool, not_members: bool, observers: bool
) -> Select[int, int, int, float | None, float | None, bool, bool, str]:
    """Built once per shape, with bound parameters, so a ranking only binds and runs it."""
    query = select(
        Shift.id,
        Shift.member_id,
        Shift.organization_id,
        Shift.lat,
        Shift.lon,
        Shift.has_car,
        Shift.legal_observer,
        # As text, decoded only for the rows within the radius.
        cast(Shift.languages, String).label("languages"),
    ).where(
        Shift.ended_at.is_(None),
        Shift.located_at >= bindparam("cutoff"),  # also: located at all
        # The exact radius, in the database: the cells hold more than the circle, and in a
        # dense neighbourhood that is hundreds of rows no one should build.
        within_m_sql(Shift.lat, Shift.lon, bindparam("radius_m")),
        ~_busy_member(),
        _still_a_responder(),
    )
    if by_cells:
        # Only the IN list: an extra "h3_cell IS NOT NULL" turns SQLite's index lookup of
        # these few cells into a range scan over every located shift.
        query = query.where(Shift.h3_cell.in_(bindparam("cells", expanding=True)))
    if in_orgs:
        query = query.where(Shift.organization_id.in_(bindparam("orgs", expanding=True)))
    if not_in_orgs:
        query = query.where(Shift.organization_id.not_in(bindparam("other_orgs", expanding=True)))
    if not_members:
        query = query.where(Shift.member_id.not_in(bindparam("members", expanding=True)))
    if observers:
        # No self-declared observers: vetting and an unexpired course, checked as of now.
        now = bindparam("now", type_=UTCDateTime())
        query = query.where(
            qualified_clause(Shift.member_id, Shift.organization_id, LEGAL_OBSERVER, now)
        )
    return query


def _row(
    shift_id: int,
    member_id: int,
    organization_id: int,
    lat: float | None,
    lon: float | None,
    has_car: bool,
    legal_observer: bool,
    languages: str | None,
) -> ShiftRow:
    # The query keeps located shifts only.
    assert lat is not None
    assert lon is not None
    codes: list[str] = json.loads(languages or "[]")
    return ShiftRow(
        shift_id,
        member_id,
        organization_id,
        lat,
        lon,
        has_car,
        legal_observer,
        tuple(code.lower() for code in codes),
    )
