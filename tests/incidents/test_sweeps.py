"""The worker's sweeps: stale incidents expire, callback contacts are erased after retention."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.reports.factories import NOBODYS_PIN, WESTSIDE_PIN, submit
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import is_sqlite
from vecinos.incidents.models import Incident, IncidentState
from vecinos.incidents.service import expire_stale_incidents, transition
from vecinos.incidents.timeline import events_of
from vecinos.reports.intake import purge_expired_contacts
from vecinos.reports.models import Report


def test_unverified_incidents_expire_after_the_configured_time(
    writer: Session, settings: Settings, clock: FrozenClock
) -> None:
    settings.incident_expiry_minutes = 60
    start = clock.now()
    reported = writer.get(Incident, submit(writer, settings, start).incident_id)
    verifying = writer.get(Incident, submit(writer, settings, start, WESTSIDE_PIN).incident_id)
    confirmed = writer.get(Incident, submit(writer, settings, start, NOBODYS_PIN).incident_id)
    assert reported and verifying and confirmed
    transition(writer, verifying, IncidentState.VERIFYING, actor_id=None, now=start)
    transition(writer, confirmed, IncidentState.VERIFYING, actor_id=None, now=start)
    transition(writer, confirmed, IncidentState.CONFIRMED, actor_id=None, now=start)
    late = submit(writer, settings, clock.advance(minutes=30), (34.2, -118.6))
    writer.commit()

    assert expire_stale_incidents(writer, clock.advance(minutes=29), settings) == 0
    assert expire_stale_incidents(writer, clock.advance(minutes=1), settings) == 2
    writer.commit()
    states = {i.id: i.state for i in writer.scalars(select(Incident))}
    assert states[reported.id] == states[verifying.id] == IncidentState.EXPIRED
    assert states[confirmed.id] == IncidentState.CONFIRMED
    assert states[late.incident_id] == IncidentState.REPORTED
    last = events_of(writer, reported.id)[-1]
    assert (last.kind, last.actor_id, last.payload["to"]) == ("state_changed", None, "expired")
    assert expire_stale_incidents(writer, clock.advance(minutes=1), settings) == 0


def test_contacts_are_purged_after_the_retention_window(
    writer: Session, engine: Engine, settings: Settings, clock: FrozenClock
) -> None:
    kept = submit(writer, settings, clock.now(), contact="555-0199")
    without = submit(writer, settings, clock.now(), WESTSIDE_PIN)
    writer.commit()
    ciphertext = kept.contact_ciphertext
    assert ciphertext is not None and without.contact_ciphertext is None

    assert purge_expired_contacts(writer, clock.advance(hours=71), settings) == 0
    assert purge_expired_contacts(writer, clock.advance(hours=1), settings) == 1
    writer.commit()
    writer.expire_all()
    report = writer.scalars(select(Report).where(Report.id == kept.id)).one()
    assert (report.contact_ciphertext, report.contact_purge_at) == (None, None)
    writer.rollback()
    if is_sqlite(str(engine.url)):
        assert_bytes_gone_from_sqlite_files(engine, ciphertext)


def assert_bytes_gone_from_sqlite_files(engine: Engine, ciphertext: bytes) -> None:
    database = Path(str(engine.url.database))
    connection = sqlite3.connect(database)  # fold the write-ahead log into the file, empty it
    try:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        connection.close()
    for path in (database, Path(f"{database}-wal")):
        if path.exists():
            assert ciphertext not in bytes_of(path), path


def bytes_of(path: Path) -> bytes:
    """A file's bytes, read by another process. Closing a file descriptor of the database here
    would drop every POSIX lock this process holds on it, SQLite's included: another process
    (the intake writer's) closing its last connection would then delete the write-ahead log
    under this process's open connections ("disk I/O error")."""
    reader = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"
    command = [sys.executable, "-c", reader, str(path)]
    return subprocess.run(command, capture_output=True, check=True).stdout  # noqa: S603
