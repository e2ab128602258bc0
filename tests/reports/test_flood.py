"""The troll flood of issue 15 (finding 11), replayed: 10,000 one-source reports in 100 seconds,
each from a fresh device token, around three real incidents that 74 residents report.

Called at the service layer (the intake writer with the app's rate limits, batch by batch, on
a simulated clock): ten thousand HTTP requests and their proofs of work would take minutes
here. What the HTTP layer adds on top is tested in test_challenge.py: a report without a
solved, unused, unexpired challenge never reaches the writer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.reports.factories import device, draft
from vecinos.alerts.outbox_models import Alert
from vecinos.config import Settings
from vecinos.errors import TooManyRequests
from vecinos.geo.distance import haversine_m
from vecinos.identity import Principal
from vecinos.incidents import board
from vecinos.incidents.models import Incident, IncidentState
from vecinos.ratelimit import RateLimits, new_incidents_per_second
from vecinos.reports import intake, sources
from vecinos.reports.models import Source
from vecinos.reports.writer import BatchWriter, Job

START = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
SECONDS = 100
FLOOD_PER_SECOND = 100  # 10,000 in all
GENUINE = {(34.0405, -118.2312): 28, (34.0905, -118.3401): 24, (33.9602, -118.2553): 22}
TRIES = 40  # a phone's outbox keeps a refused (429) report and tries again, once a second here
FLOOD_THRESHOLD = 25
ANYONE = Principal(0, "board reader", frozenset(), False, False, "session")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "intake_global_per_second": 20,
            "intake_corroboration_reserve": 0.3,
            "intake_per_source_per_minute": 6,
            "board_flood_threshold": FLOOD_THRESHOLD,
        }
    )


@dataclass
class Resident:
    pin: tuple[float, float]
    token: str = field(default_factory=device)
    tries: int = 0
    stored: bool = False
    corroborating: bool = False  # its incident had several sources when it was first sent


def troll_pin(rng: random.Random) -> tuple[float, float]:
    """Anywhere in the county, not within 2 km of a real incident (those would corroborate)."""
    while True:
        pin = (rng.uniform(33.75, 34.75), rng.uniform(-118.9, -117.7))
        if all(haversine_m(*pin, *real) > 2000 for real in GENUINE):
            return pin


def test_a_flood_of_fresh_tokens_neither_buries_real_incidents_nor_locks_residents_out(
    sessions: sessionmaker[Session], settings: Settings, db: Session
) -> None:
    rng = random.Random(15)
    residents = [Resident(pin) for pin, count in GENUINE.items() for _ in range(count)]
    rng.shuffle(residents)
    # Residents start reporting from second 5 on, about one a second.
    arrival = {id(r): 5 + i * (SECONDS - 30) // len(residents) for i, r in enumerate(residents)}
    writer = BatchWriter(sessions, settings, RateLimits(settings))
    flood_stored = 0
    for second in range(SECONDS):
        now = START + timedelta(seconds=second)
        flood = [Job(draft(settings, now, troll_pin(rng)), now) for _ in range(FLOOD_PER_SECOND)]
        jobs = list(flood)
        sent: list[tuple[Resident, Job]] = []
        for resident in residents:
            if resident.stored or arrival[id(resident)] > second or resident.tries == TRIES:
                continue
            if resident.tries == 0:
                resident.corroborating = _sources_near(db, resident.pin) >= 2
            resident.tries += 1
            job = Job(draft(settings, now, resident.pin, device_token=resident.token), now)
            jobs.insert(rng.randrange(len(jobs) + 1), job)  # somewhere among the flood's
            sent.append((resident, job))
        writer.write(jobs)
        refusals = [j.outcome for j in jobs if not isinstance(j.outcome, intake.Stored)]
        assert all(isinstance(o, TooManyRequests) for o in refusals), refusals[:3]
        for resident, job in sent:
            resident.stored = isinstance(job.outcome, intake.Stored)
        flood_stored += sum(isinstance(j.outcome, intake.Stored) for j in flood)

    # Residents get through: every one of the 74, and every report that corroborated an
    # incident several sources already reported got through on its first try.
    assert all(r.stored for r in residents), [r.tries for r in residents if not r.stored]
    corroborating = [r for r in residents if r.corroborating]
    assert len(corroborating) >= 50  # most come once two neighbours have been let in
    assert all(r.tries == 1 for r in corroborating)
    # The flood got no more than the share of the ceiling left outside the reserve.
    share = new_incidents_per_second(settings)
    assert flood_stored <= share * (SECONDS + 1)
    assert flood_stored >= share * SECONDS / 2  # the ceiling is a ceiling, not a wall

    shown = board.board(
        db,
        ANYONE,
        now=START + timedelta(seconds=SECONDS),
        timezone="UTC",
        flood_threshold=settings.board_flood_threshold,
    )
    reported = shown.lists[IncidentState.REPORTED]
    assert [i.source_count for i in reported[:3]] == sorted(GENUINE.values(), reverse=True)
    assert {_nearest_real(i) for i in reported[:3]} == set(GENUINE)
    assert len(shown.possible_flood) > FLOOD_THRESHOLD
    assert all(i.source_count == 1 for i in shown.possible_flood)
    # Nothing was published: unconfirmed reports never alert on their own.
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Alert)) == 0
    states = db.scalars(select(Incident.state).distinct()).all()
    assert states == [IncidentState.REPORTED.value]


def test_under_a_flood_a_report_staff_typed_up_from_a_call_stays_in_its_lane(
    sessions: sessionmaker[Session], settings: Settings, db: Session
) -> None:
    """One source, but a dispatcher wrote it from a call: it is not folded away as a possible
    flood with the anonymous one-source incidents around it."""
    rng = random.Random(16)
    writer = BatchWriter(sessions, settings)  # no ceiling: every report is written
    flood = [Job(draft(settings, START, troll_pin(rng)), START) for _ in range(FLOOD_THRESHOLD + 5)]
    call = Job(draft(settings, START, (34.0522, -118.2437), source=Source.HOTLINE), START)
    writer.write([*flood, call])
    assert all(isinstance(j.outcome, intake.Stored) for j in [*flood, call])
    assert isinstance(call.outcome, intake.Stored)

    shown = board.board(
        db,
        ANYONE,
        now=START,
        timezone="UTC",
        flood_threshold=settings.board_flood_threshold,
        vouched=lambda ids: sources.vouched_for(db, ids),
    )
    typed_up = call.outcome.incident_id
    assert typed_up in {i.id for i in shown.lists[IncidentState.REPORTED]}
    assert typed_up not in {i.id for i in shown.possible_flood}
    assert len(shown.possible_flood) == FLOOD_THRESHOLD + 5


def _sources_near(db: Session, pin: tuple[float, float]) -> int:
    db.expire_all()
    incidents = db.execute(select(Incident.lat, Incident.lon, Incident.source_count))
    return max((n for lat, lon, n in incidents if haversine_m(lat, lon, *pin) <= 500), default=0)


def _nearest_real(incident: Incident) -> tuple[float, float]:
    return min(GENUINE, key=lambda pin: haversine_m(incident.lat, incident.lon, *pin))


def test_the_cards_a_live_board_asks_for_fold_as_the_whole_board_does(
    sessions: sessionmaker[Session], settings: Settings, db: Session
) -> None:
    """The live page asks for the cards events name; they go where the whole board put them,
    with the version the page keeps the newest of, and the fold ends for all of them once the
    one-source incidents (a typed-up call counts, though it is never folded) are no more than
    the threshold."""
    rng = random.Random(17)
    writer = BatchWriter(sessions, settings)
    flood = [Job(draft(settings, START, troll_pin(rng)), START) for _ in range(FLOOD_THRESHOLD)]
    call = Job(draft(settings, START, (34.0522, -118.2437), source=Source.HOTLINE), START)
    writer.write([*flood, call])

    whole = _board(db, settings)
    found, versions = board.cards(db, ANYONE, [i.id for i in _shown(whole)])
    fold = _folded(db, settings, found)
    assert whole.folding and fold.folding
    assert fold.ids == {i.id for i in whole.possible_flood}
    assert len(fold.ids) == FLOOD_THRESHOLD  # the typed-up call is not folded
    assert versions == whole.versions == {i.id: 1 for i in found}  # each opened, nothing since

    # A troll's incident is corroborated: it leaves the flood, and the rest are few enough.
    corroborated = next(i for i in found if i.id in fold.ids)
    writer.write([Job(draft(settings, START, (corroborated.lat, corroborated.lon)), START)])
    db.expire_all()
    found, versions = board.cards(db, ANYONE, [corroborated.id])
    assert versions == {corroborated.id: 2}
    assert _folded(db, settings, found) == board.Fold(False)
    assert not _board(db, settings).folding


def _board(db: Session, settings: Settings) -> board.Board:
    return board.board(
        db,
        ANYONE,
        now=START,
        timezone="UTC",
        flood_threshold=settings.board_flood_threshold,
        vouched=lambda ids: sources.vouched_for(db, ids),
    )


def _folded(db: Session, settings: Settings, incidents: list[Incident]) -> board.Fold:
    return board.folded(
        db,
        ANYONE,
        incidents,
        now=START,
        timezone="UTC",
        flood_threshold=settings.board_flood_threshold,
        vouched=lambda ids: sources.vouched_for(db, ids),
    )


def _shown(whole: board.Board) -> list[Incident]:
    return [i for lane in whole.lists.values() for i in lane] + whole.possible_flood
