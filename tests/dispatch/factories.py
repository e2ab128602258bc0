"""Small helpers for dispatch tests: more responders, incidents, shifts, signed-in clients.

Distances: 0.001° of latitude is about 111 m, so `north(m)` places someone m metres north of
the incident.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import PASSWORD, Cast, Person
from tests.training.factories import qualify
from vecinos.accounts import passwords
from vecinos.accounts.models import Member, Role, RoleGrant
from vecinos.db import transaction
from vecinos.dispatch import shifts
from vecinos.dispatch.models import Offer
from vecinos.geo.cells import cell_of
from vecinos.incidents.models import Incident, IncidentState, TimelineEvent

SCENE = (34.0522, -118.2437)  # downtown, where incidents happen in these tests
METRES_PER_DEGREE_LAT = 111_195.0

_password_hash: str | None = None


def north(metres: float) -> tuple[float, float]:
    return SCENE[0] + metres / METRES_PER_DEGREE_LAT, SCENE[1]


def add_responder(
    sessions: sessionmaker[Session], cast: Cast, name: str, organization_id: int | None = None
) -> Person:
    """A new volunteer with the responder role (Eastside unless told), no two-factor needed."""
    global _password_hash
    _password_hash = _password_hash or passwords.hash_password(PASSWORD)
    now = cast.clock.now()
    with transaction(sessions) as db:
        member = Member(
            email=f"{name}@example.org",
            display_name=name.title(),
            password_hash=_password_hash,
            created_at=now,
        )
        member.grants = [
            RoleGrant(
                organization_id=organization_id or cast.eastside,
                role=Role.RESPONDER,
                granted_at=now,
            )
        ]
        db.add(member)
        db.flush()
        person = Person(member.email, member.id, None)
    cast.people[name] = person
    return person


def on_shift(
    sessions: sessionmaker[Session],
    cast: Cast,
    person: Person,
    at: tuple[float, float],
    *,
    organization_id: int | None = None,
    has_car: bool = False,
    legal_observer: bool = False,
    languages: tuple[str, ...] = (),
) -> int:
    """`legal_observer`: vetted and trained as one first (nobody declares it)."""
    if legal_observer:
        qualify(sessions, cast, person, organization_id=organization_id or cast.eastside)
    with transaction(sessions) as db:
        shift = shifts.check_in(
            db,
            person.member_id,
            organization_id or cast.eastside,
            at[0],
            at[1],
            shifts.Capabilities(has_car, languages),
            now=cast.clock.now(),
        )
        return shift.id


VERDICTS = (IncidentState.CONFIRMED, IncidentState.UNFOUNDED)


def make_incident(
    sessions: sessionmaker[Session],
    cast: Cast,
    *,
    organization_id: int | None = -1,
    at: tuple[float, float] = SCENE,
    state: IncidentState = IncidentState.REPORTED,
    opened_at: datetime | None = None,
    changed_at: datetime | None = None,
) -> int:
    """An incident as clustering would open it (Eastside's unless told; None for nobody's),
    opened and last changed now unless told."""
    now = opened_at or cast.clock.now()
    with transaction(sessions) as db:
        incident = Incident(
            organization_id=cast.eastside if organization_id == -1 else organization_id,
            state=state,
            # As a transition leaves it: a confirmed or unfounded incident carries its verdict.
            verdict=state.value if state in VERDICTS else None,
            lat=at[0],
            lon=at[1],
            h3_cell=cell_of(at[0], at[1], 8),
            public_cell=cell_of(at[0], at[1], 7),
            public_lat=at[0],
            public_lon=at[1],
            activity="vehicles_staged",
            report_count=1,
            source_count=1,
            opened_at=now,
            last_seen_at=now,
            state_changed_at=changed_at or now,
        )
        db.add(incident)
        db.flush()
        return incident.id


def client_for(app: FastAPI, cast: Cast, person: Person) -> TestClient:
    """A separate browser for each person, signed in."""
    client = TestClient(app, base_url="https://testserver")
    cast.sign_in(client, person)
    return client


def offers_of(db: Session, incident_id: int) -> list[Offer]:
    db.expire_all()
    query = select(Offer).where(Offer.incident_id == incident_id)
    return list(db.scalars(query.order_by(Offer.round, Offer.rank)))


def offered_members(db: Session, incident_id: int, round_: int | None = None) -> list[int]:
    return [o.member_id for o in offers_of(db, incident_id) if round_ in (None, o.round)]


def timeline_kinds(db: Session, incident_id: int) -> list[str]:
    db.expire_all()
    query = select(TimelineEvent.kind).where(TimelineEvent.incident_id == incident_id)
    return list(db.scalars(query.order_by(TimelineEvent.seq)))
