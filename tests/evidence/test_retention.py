"""Retention: old media and settled incidents go after each organization's N days; legal
holds stay; the dry run lists without deleting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.cast import Cast, Person
from tests.dispatch.factories import make_incident
from tests.evidence.helpers import photo_with_gps, upload
from vecinos.cli import app as cli_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import make_session_factory, transaction
from vecinos.evidence import retention
from vecinos.evidence.models import Media
from vecinos.incidents import timeline
from vecinos.incidents.models import Incident, IncidentState, TimelineEvent

SignedIn = Callable[[Person], TestClient]


def count(db: Session, model: type[Media] | type[Incident]) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def files(settings: Settings) -> list[Path]:
    return [p for p in (settings.data_dir / "evidence").rglob("*") if p.is_file()]


@pytest.fixture
def world(
    signed_in: SignedIn, cast: Cast, sessions: sessionmaker[Session], clock: FrozenClock
) -> dict[str, int]:
    """Two ended incidents with a photo each, one of them under legal hold; a policy."""
    ended = IncidentState.ENDED
    held = make_incident(sessions, cast, state=ended)
    loose = make_incident(sessions, cast, state=ended)
    with transaction(sessions) as db:
        for incident_id in (held, loose):
            incident = db.get(Incident, incident_id)
            assert incident is not None
            incident.closed_at = clock.now()
    for incident_id in (held, loose):
        assert upload(signed_in(cast.rosa), incident_id, photo_with_gps()).status_code == 201
    lucas = signed_in(cast.lucas)
    assert lucas.put(f"/api/incidents/{held}/hold", json={"reason": "case 24-113"}).status_code
    policy = {"media_days": 30, "incident_days": 90}
    assert signed_in(cast.elena).put(f"/api/organizations/{cast.eastside}/retention", json=policy)
    return {"held": held, "loose": loose}


def test_media_then_incidents_go_after_their_days_holds_stay(
    world: dict[str, int],
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    db: Session,
) -> None:
    assert count(db, Media) == 2 and len(files(settings)) == 4  # originals and public copies
    clock.advance(days=29)
    with transaction(sessions) as writer:
        assert retention.apply_policies(writer, clock.now(), settings) == 0
    clock.advance(days=2)
    with transaction(sessions) as writer:
        assert retention.apply_policies(writer, clock.now(), settings) == 1  # loose's photo
    assert count(db, Media) == 1 and len(files(settings)) == 2
    assert db.scalars(select(Media.incident_id)).one() == world["held"]
    last = timeline.events_of(db, world["loose"])[-1]  # the timeline says what went, and why
    assert last.kind == "media_deleted" and last.payload["reason"] == "retention"
    assert timeline.verify_incident(db, world["loose"]) is None
    clock.advance(days=60)
    with transaction(sessions) as writer:
        doomed = retention.plan(writer, clock.now())
        assert [(d.what, d.id) for d in doomed] == [("incident", world["loose"])]
        assert retention.apply_policies(writer, clock.now(), settings) == 1
    assert db.get(Incident, world["loose"]) is None
    assert db.get(Incident, world["held"]) is not None and count(db, Media) == 1
    held_events = select(func.count()).where(TimelineEvent.incident_id == world["held"])
    assert (db.scalar(held_events) or 0) >= 2  # the held incident's timeline is whole


def test_releasing_the_hold_lets_retention_apply(
    world: dict[str, int],
    signed_in: SignedIn,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    db: Session,
) -> None:
    lucas = signed_in(cast.lucas)
    assert lucas.delete(f"/api/incidents/{world['held']}/hold").status_code == 204
    clock.advance(days=91)
    with transaction(sessions) as writer:
        assert retention.apply_policies(writer, clock.now(), settings) == 4
    assert count(db, Media) == 0 and count(db, Incident) == 0 and files(settings) == []


def test_dry_run_lists_and_keeps_everything(
    world: dict[str, int],
    settings: Settings,
    engine: Engine,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VECINOS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("VECINOS_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("VECINOS_SECRET_KEY", settings.secret)
    # The command counts the policy's days back from the real clock: make it all a year old.
    long_ago = datetime.now(UTC) - timedelta(days=400)
    with transaction(make_session_factory(engine)) as writer:
        for media in writer.scalars(select(Media)):
            media.created_at = long_ago
        for incident in writer.scalars(select(Incident)):
            incident.closed_at = long_ago
    result = CliRunner().invoke(cli_app, ["export", "retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would delete 2 item(s); legal holds kept." in result.output
    assert count(db, Media) == 2 and count(db, Incident) == 2 and len(files(settings)) == 4
    result = CliRunner().invoke(cli_app, ["export", "retention"])
    assert result.exit_code == 0 and "Deleted 2 item(s)" in result.output
    assert count(db, Media) == 1 and count(db, Incident) == 1
    assert db.get(Incident, world["held"]) is not None
