"""The state machine: every pair of states, allowed or refused, and what each move records."""

from __future__ import annotations

from itertools import product

import pytest
from sqlalchemy.orm import Session

from tests.reports.factories import counts, submit
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.errors import Conflict
from vecinos.incidents.models import Incident, IncidentState
from vecinos.incidents.service import ALLOWED, transition
from vecinos.incidents.timeline import events_of, verify_incident

S = IncidentState
EXPECTED_MOVES = {
    (S.REPORTED, S.VERIFYING),
    (S.REPORTED, S.EXPIRED),
    (S.VERIFYING, S.CONFIRMED),
    (S.VERIFYING, S.UNFOUNDED),
    (S.VERIFYING, S.EXPIRED),
    (S.CONFIRMED, S.ENDED),
    (S.UNFOUNDED, S.ENDED),
}


def test_the_allowed_moves_are_exactly_the_designed_ones() -> None:
    assert {(a, b) for a, targets in ALLOWED.items() for b in targets} == EXPECTED_MOVES


def incident_in(db: Session, settings: Settings, clock: FrozenClock, state: S) -> Incident:
    report = submit(db, settings, clock.now())
    incident = db.get(Incident, report.incident_id)
    assert incident is not None
    incident.state = state
    db.flush()
    return incident


@pytest.mark.parametrize(("from_state", "to_state"), list(product(S, S)))
def test_each_pair_of_states(
    writer: Session, settings: Settings, clock: FrozenClock, from_state: S, to_state: S
) -> None:
    db = writer
    incident = incident_in(db, settings, clock, from_state)
    before = counts(db)
    now = clock.advance(minutes=3)
    if (from_state, to_state) in EXPECTED_MOVES:
        event = transition(db, incident, to_state, actor_id=None, now=now, note="seen it")
        assert incident.state == to_state and incident.state_changed_at == now
        assert event.kind == "state_changed"
        assert event.payload == {"from": from_state.value, "to": to_state.value, "note": "seen it"}
        assert (event.actor_id, event.seq) == (None, 2)
        assert counts(db)[2] == before[2] + 1
        assert (incident.closed_at is not None) == (to_state in (S.ENDED, S.EXPIRED))
    else:
        with pytest.raises(Conflict) as refused:
            transition(db, incident, to_state, actor_id=None, now=now)
        assert refused.value.code == "transition_not_allowed"
        assert incident.state == from_state
        assert counts(db) == before


def test_a_full_life_leaves_an_intact_chain(
    writer: Session, settings: Settings, clock: FrozenClock
) -> None:
    db = writer
    incident = incident_in(db, settings, clock, S.REPORTED)
    for target in (S.VERIFYING, S.CONFIRMED, S.ENDED):
        transition(db, incident, target, actor_id=None, now=clock.advance(minutes=5))
    db.commit()
    kinds = [(e.seq, e.kind) for e in events_of(db, incident.id)]
    assert kinds == [
        (1, "opened"),
        (2, "state_changed"),
        (3, "state_changed"),
        (4, "state_changed"),
    ]
    assert verify_incident(db, incident.id) is None
    assert incident.verdict == "confirmed"
