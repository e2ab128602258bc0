"""What the dispatcher's board shows: every open incident, and those closed today.

Closed incidents (unfounded, ended, expired) fold away at the end of the coalition's local
day, so a board opened next week is not a list of last week's false alarms.

Within a lane, corroboration ranks first: an incident many people saw comes before one only
one phone says it saw, newest first among equals. When more one-source incidents wait for
review than a real evening brings (`board_flood_threshold`), they fold into one "possible
flood" group below the lanes, so a troll flood cannot push what many saw off the screen.

Each incident comes with its version, the number of its timeline's last event (every change a
card shows writes one), read in the same statement as the incident: the live page keeps the
newest it has seen of each card, whichever answer reaches it first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from vecinos.identity import Principal
from vecinos.incidents.models import OPEN_STATES, Incident, IncidentState, TimelineEvent
from vecinos.incidents.service import visible_organizations

CLOSED_STATES = (IncidentState.UNFOUNDED, IncidentState.ENDED, IncidentState.EXPIRED)
ORDER = (IncidentState.REPORTED, IncidentState.VERIFYING, IncidentState.CONFIRMED, *CLOSED_STATES)
MOST = 500  # a board is for what is happening; older incidents are in the exports
# The number of the incident's last timeline event (0 before its first).
VERSION = (
    select(func.coalesce(func.max(TimelineEvent.seq), 0))
    .where(TimelineEvent.incident_id == Incident.id)
    .correlate(Incident)
    .scalar_subquery()
)


@dataclass(frozen=True)
class Board:
    lists: dict[IncidentState, list[Incident]]
    # One-source incidents awaiting review, folded together while there are too many of them.
    possible_flood: list[Incident] = field(default_factory=list)
    versions: dict[int, int] = field(default_factory=dict)
    folding: bool = False  # more one-source incidents than the threshold (even if all vouched)

    @property
    def closed_count(self) -> int:
        return sum(len(self.lists[state]) for state in CLOSED_STATES)


def start_of_day(now: datetime, timezone: str) -> datetime:
    """Midnight of `now`'s local day, as an aware instant."""
    tz = ZoneInfo(timezone)
    return datetime.combine(now.astimezone(tz).date(), time(), tzinfo=tz)


def on_board(now: datetime, timezone: str) -> ColumnElement[bool]:
    """Open, or closed since local midnight."""
    return or_(
        Incident.state.in_([s.value for s in OPEN_STATES]),
        and_(
            Incident.state.in_([s.value for s in CLOSED_STATES]),
            Incident.state_changed_at >= start_of_day(now, timezone),
        ),
    )


def _visible(principal: Principal) -> ColumnElement[bool]:
    mine = visible_organizations(principal)
    return Incident.organization_id.in_(mine) | Incident.organization_id.is_(None)


def board(
    db: Session,
    principal: Principal,
    *,
    now: datetime,
    timezone: str,
    flood_threshold: int | None = None,
    vouched: Callable[[list[int]], set[int]] = lambda ids: set(),
) -> Board:
    """The lanes, most corroborated first (so a flood of one-source incidents cannot push a
    corroborated one past `MOST`); one-source incidents awaiting review fold into
    `possible_flood` when there are more than `flood_threshold` of them, except those a
    trusted source `vouched` for (a report staff typed up from a call stays in its lane)."""
    rows = db.execute(
        select(Incident, VERSION)
        .where(_visible(principal), on_board(now, timezone))
        .order_by(Incident.source_count.desc(), Incident.opened_at.desc(), Incident.id.desc())
        .limit(MOST)
    ).all()
    found = [incident for incident, _ in rows]
    versions = {incident.id: version for incident, version in rows}
    lists = {state: [i for i in found if i.state == state] for state in ORDER}
    if not flooding(db, principal, now=now, timezone=timezone, flood_threshold=flood_threshold):
        return Board(lists, versions=versions)
    lone = [i for i in lists[IncidentState.REPORTED] if _lone(i)]
    trusted = vouched([i.id for i in lone])
    lone = [i for i in lone if i.id not in trusted]
    lists[IncidentState.REPORTED] = [
        i for i in lists[IncidentState.REPORTED] if i.source_count > 1 or i.id in trusted
    ]
    return Board(lists, lone, versions, folding=True)


def shown(incident: Incident, now: datetime, timezone: str) -> bool:
    """Whether the board still shows this incident (closed before today: folded away)."""
    if incident.state in OPEN_STATES:
        return True
    return incident.state_changed_at >= start_of_day(now, timezone)


@dataclass(frozen=True)
class Fold:
    """Whether the whole board folds one-source incidents now, and which of some it folds."""

    folding: bool
    ids: frozenset[int] = frozenset()


def folded(
    db: Session,
    principal: Principal,
    incidents: Sequence[Incident],
    *,
    now: datetime,
    timezone: str,
    flood_threshold: int | None,
    vouched: Callable[[list[int]], set[int]] = lambda ids: set(),
) -> Fold:
    """Which of these incidents the whole board would fold into `possible_flood` now (the
    cards the live page updates one by one go where the board put them), and whether it folds
    at all: an incident that stops being lone can end the fold for all the others, which the
    live page then asks the whole board for."""
    if not flooding(db, principal, now=now, timezone=timezone, flood_threshold=flood_threshold):
        return Fold(False)
    lone = [i.id for i in incidents if _lone(i)]
    return Fold(True, frozenset(set(lone) - vouched(lone)) if lone else frozenset())


def flooding(
    db: Session, principal: Principal, *, now: datetime, timezone: str, flood_threshold: int | None
) -> bool:
    """More one-source incidents await review on the caller's board than the threshold (the
    board and the cards the live page asks for decide it alike, or the page would go back and
    forth between them)."""
    if flood_threshold is None:
        return False
    counted = select(func.count(Incident.id)).where(
        _visible(principal),
        on_board(now, timezone),
        Incident.state == IncidentState.REPORTED,
        Incident.source_count <= 1,
    )
    return (db.scalar(counted) or 0) > flood_threshold


def _lone(incident: Incident) -> bool:
    return incident.state == IncidentState.REPORTED and incident.source_count <= 1


def cards(
    db: Session, principal: Principal, ids: Iterable[int]
) -> tuple[list[Incident], dict[int, int]]:
    """The incidents among `ids` the caller sees, as they stand, and their versions; `shown`
    says which the board keeps."""
    wanted = sorted(set(ids))[:MOST]
    if not wanted:
        return [], {}
    rows = db.execute(
        select(Incident, VERSION).where(_visible(principal), Incident.id.in_(wanted))
    ).all()
    return [incident for incident, _ in rows], {incident.id: version for incident, version in rows}
