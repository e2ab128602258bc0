"""The timeline is append-only and hash-chained; tampering in the database is detected, by the
service and by `vecinos incidents verify-chain`."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.reports.factories import submit
from vecinos.cli import app as cli_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.incidents import timeline
from vecinos.incidents.models import Incident, IncidentState, TimelineEvent
from vecinos.incidents.service import transition


def incident_with_history(db: Session, settings: Settings, clock: FrozenClock) -> Incident:
    """Opened, corroborated, verified: four events."""
    first = submit(db, settings, clock.now())
    submit(db, settings, clock.advance(minutes=2), (34.0505, -118.2505))
    incident = db.get(Incident, first.incident_id)
    assert incident is not None
    transition(db, incident, IncidentState.VERIFYING, actor_id=None, now=clock.advance(minutes=1))
    timeline.append(
        db,
        incident.id,
        "note",
        {"text": "Nobody near yet", "n": 1.5},
        actor_id=None,
        now=clock.now(),
    )
    db.commit()
    return incident


def test_each_event_points_at_the_one_before(
    writer: Session, settings: Settings, clock: FrozenClock
) -> None:
    incident = incident_with_history(writer, settings, clock)
    events = timeline.events_of(writer, incident.id)
    assert [e.kind for e in events] == ["opened", "report_added", "state_changed", "note"]
    assert events[0].prev_hash == timeline.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert timeline.verify_incident(writer, incident.id) is None


def test_the_orm_refuses_to_change_or_remove_an_event(
    writer: Session, settings: Settings, clock: FrozenClock
) -> None:
    incident = incident_with_history(writer, settings, clock)
    event = timeline.events_of(writer, incident.id)[1]
    event.payload = {"report_id": 999}
    with pytest.raises(PermissionError):
        writer.flush()
    writer.rollback()
    writer.delete(timeline.events_of(writer, incident.id)[1])
    with pytest.raises(PermissionError):
        writer.flush()
    writer.rollback()


def tamper(engine: Engine, incident_id: int, seq: int, **values: object) -> None:
    """Change a row behind the application's back, as someone with database access could."""
    with engine.begin() as connection:
        connection.execute(
            update(TimelineEvent)
            .where(TimelineEvent.incident_id == incident_id, TimelineEvent.seq == seq)
            .values(**values)
        )


def test_an_edited_payload_is_named(
    writer: Session, engine: Engine, settings: Settings, clock: FrozenClock
) -> None:
    incident = incident_with_history(writer, settings, clock)
    tamper(engine, incident.id, 2, payload={"report_id": 1, "source": "web", "activity": "other"})
    broken = timeline.verify_incident(writer, incident.id)
    assert broken is not None and broken.seq == 2 and "edited" in broken.reason


def test_a_rehashed_edit_still_breaks_the_next_link(
    writer: Session, engine: Engine, settings: Settings, clock: FrozenClock
) -> None:
    incident = incident_with_history(writer, settings, clock)
    original = timeline.events_of(writer, incident.id)[1]
    forged = TimelineEvent(
        incident_id=original.incident_id,
        seq=original.seq,
        kind=original.kind,
        payload={**original.payload, "activity": "other"},
        actor_id=original.actor_id,
        at=original.at,
        prev_hash=original.prev_hash,
    )
    incident_id, new_hash = incident.id, timeline.hash_of(forged)
    writer.rollback()  # let go of SQLite's write lock before the tampering connection writes
    tamper(engine, incident_id, 2, payload=forged.payload, hash=new_hash)
    broken = timeline.verify_incident(writer, incident_id)
    assert broken is not None and broken.seq == 3 and "previous" in broken.reason


def test_a_removed_event_is_named(
    writer: Session, engine: Engine, settings: Settings, clock: FrozenClock
) -> None:
    incident = incident_with_history(writer, settings, clock)
    with engine.begin() as connection:
        connection.execute(
            delete(TimelineEvent).where(
                TimelineEvent.incident_id == incident.id, TimelineEvent.seq == 3
            )
        )
    broken = timeline.verify_incident(writer, incident.id)
    assert broken is not None and broken.seq == 4 and "missing" in broken.reason


def test_verify_chain_command(
    writer: Session,
    engine: Engine,
    settings: Settings,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VECINOS_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("VECINOS_SECRET_KEY", settings.secret)
    intact = incident_with_history(writer, settings, clock)
    clock.advance(hours=3)  # a later, separate incident
    damaged = incident_with_history(writer, settings, clock)
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["incidents", "verify-chain"])
    assert ok.exit_code == 0, ok.output
    assert "All 2 incident timelines are intact" in ok.output
    tamper(engine, damaged.id, 3, payload={"from": "reported", "to": "confirmed"})
    bad = runner.invoke(cli_app, ["incidents", "verify-chain"])
    assert bad.exit_code == 1
    event_id = timeline.events_of(writer, damaged.id)[2].id
    assert f"incident {damaged.id}: event 3 (id {event_id})" in bad.output
    assert f"incident {intact.id}:" not in bad.output


def test_payloads_hash_as_the_database_gives_them_back(
    writer: Session, settings: Settings, clock: FrozenClock
) -> None:
    """Flat payloads skip the JSON round trip; the others still take it (tuples, number keys)."""
    incident = incident_with_history(writer, settings, clock)
    payloads: list[dict[Any, Any]] = [{"text": "ok", "n": 2, "flag": True, "none": None}]
    payloads += [{"pair": (1, 2)}, {3: "x"}]
    for payload in payloads:
        timeline.append(writer, incident.id, "note", payload, actor_id=None, now=clock.now())
    writer.commit()
    writer.expire_all()
    assert timeline.verify_incident(writer, incident.id) is None
    stored = [e.payload for e in timeline.events_of(writer, incident.id)][-3:]
    assert stored == [payloads[0], {"pair": [1, 2]}, {"3": "x"}]
