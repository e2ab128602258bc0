"""Finding 12: a purge erases. After the 72 h purge, PostgreSQL's table files still held report
contacts and its WAL all of them, and one decrypted with the deployment key. Now contacts are
sealed with data keys that are destroyed when their period ends, and ended subscriptions lose
their contact at once.

The test reads the database's own files as someone who seized the server would: SQLite's file
and WAL, or PostgreSQL's table files and WAL segments (as root, in its data directory). Before
the purge it recovers every contact from them (so the search works); after it, with the
deployment key and whatever the keyring still holds, it recovers none of the purged ones, and
still the one a live subscription needs.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.factories import SUBSCRIBE, body, link_token
from tests.reports.factories import body as report_body
from vecinos import keyring
from vecinos.alerts.contact_keys import rotate_contact_keys
from vecinos.alerts.subscriptions import purge_lapsed
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import is_sqlite, transaction
from vecinos.reports.intake import purge_expired_contacts

PG_DATA = Path("/var/lib/postgresql/15/main")
SEALED = re.compile(rb"v1:[a-z-]+-\d{8}T\d{2}:gAAAAA[A-Za-z0-9_=-]+|gAAAAA[A-Za-z0-9_=-]{60,}")


def database_files(engine: Engine) -> list[Path]:
    """The files that hold this database, as the server keeps them."""
    url = str(engine.url)
    if is_sqlite(url):
        main = Path(make_url(url).database or "")
        return [p for p in (main, Path(f"{main}-wal")) if p.exists()]
    if not (PG_DATA / "base").is_dir():
        pytest.skip(f"{PG_DATA} is not readable here (a remote server?)")
    with engine.connect() as connection:
        oid = connection.execute(
            text("SELECT oid FROM pg_database WHERE datname = current_database()")
        ).scalar()
    folder = PG_DATA / "base" / str(oid)
    if not folder.is_dir():
        pytest.skip(f"the test database is not in {PG_DATA} (another server?)")
    return [p for p in [*folder.iterdir(), *(PG_DATA / "pg_wal").iterdir()] if p.is_file()]


def flush_to_disk(engine: Engine) -> None:
    """PostgreSQL: write dirty pages to the table files and close the WAL segment, so what
    the table files and the log hold is all on disk (superuser commands: run as postgres)."""
    if is_sqlite(str(engine.url)):
        return
    for command in ("CHECKPOINT", "SELECT pg_switch_wal()"):
        subprocess.run(  # noqa: S603 - fixed commands, the test's own cluster
            ["/usr/sbin/runuser", "-u", "postgres", "--", "psql", "-qtAc", command],
            check=False,
            capture_output=True,
        )


def recover(files: list[Path], settings: Settings, wanted: set[str]) -> set[str]:
    """Every wanted contact that can be read back from the files: in clear, or decrypted with
    the deployment key (old-style tokens) or with whatever data keys the keyring still holds."""
    found: set[str] = set()
    # Fresh vaults, as a new process on a seized disk would have: only the key files count.
    openers = [
        keyring.Vault(keyring.keyring_dir(settings), purpose, 1, settings.secret)
        for purpose in (keyring.REPORT_CONTACTS[0], keyring.SUBSCRIBERS[0])
    ]
    legacy = [Encryptor(settings.secret, purpose) for purpose in ("contact", "subscriber")]
    for path in files:
        data = path.read_bytes()
        found |= {w for w in wanted if w.encode() in data}
        for match in SEALED.finditer(data):
            found |= {w for w in _opened(match.group(), openers, legacy) if w in wanted}
    return found


def _opened(token: bytes, openers: list[keyring.Vault], legacy: list[Encryptor]) -> set[str]:
    opened = set()
    for opener in openers:
        with contextlib.suppress(ValueError):
            opened.add(opener.open(token))
    for encryptor in legacy:
        with contextlib.suppress(ValueError):
            opened.add(encryptor.decrypt(token))
    return opened


def test_purged_and_ended_contacts_cannot_be_read_back_from_the_database_files(
    client: TestClient,
    engine: Engine,
    sessions: sessionmaker[Session],
    db: Session,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    tag = secrets.token_hex(4)
    reporter = f"reporter-{tag}@example.org"
    leaving, staying = f"leaving-{tag}@example.org", f"staying-{tag}@example.org"
    wanted = {reporter, leaving, staying}

    assert (
        client.post("/api/reports", json=report_body(callback_contact=reporter)).status_code == 201
    )
    tokens = {}
    for address in (leaving, staying):
        made = client.post(SUBSCRIBE, json=body(channel="email", contact=address)).json()
        confirmed = client.post(
            "/api/alerts/subscriptions/confirm-link", json={"token": link_token(db, settings)}
        )
        assert confirmed.status_code == 200, confirmed.text
        tokens[address] = made["unsubscribe_token"]
    ended = client.post("/api/alerts/unsubscribe", json={"token": tokens[leaving]})
    assert ended.json()["status"] == "unsubscribed"
    flush_to_disk(engine)
    # What the finding saw: erased rows, yet every contact is still in the files and opens.
    assert recover(database_files(engine), settings, wanted) == wanted

    clock.advance(hours=settings.contact_retention_hours + 1)  # past the 72 h retention
    clock.advance(hours=settings.subscriber_key_hours, minutes=30)  # and a subscriber key's life
    now = clock.now()
    with transaction(sessions) as worker:
        purge_expired_contacts(worker, now, settings)
        purge_lapsed(worker, now=now)
    while True:  # the job's runs until every live contact has moved to the current key
        with transaction(sessions) as worker:
            if rotate_contact_keys(worker, now, settings) == 0:
                break
    with transaction(sessions) as worker:
        rotate_contact_keys(worker, now, settings)  # with nothing left behind: keys destroyed
    flush_to_disk(engine)

    assert recover(database_files(engine), settings, wanted) == {staying}


def test_an_ended_subscription_keeps_no_contact_in_its_row(
    client: TestClient, db: Session, settings: Settings
) -> None:
    made = client.post(SUBSCRIBE, json=body(contact="213-555-0142")).json()
    client.post("/api/alerts/unsubscribe", json={"token": made["unsubscribe_token"]})
    row = db.execute(text("SELECT contact_encrypted, contact_key FROM alert_subscriptions")).one()
    assert tuple(row) == (None, None)


def test_a_data_key_dies_with_its_period(settings: Settings, clock: FrozenClock) -> None:
    vault = keyring.report_contacts(settings)
    sealed = vault.seal("+12135550142", until=clock.now() + timedelta(minutes=10))
    assert vault.open(sealed) == "+12135550142"
    later = clock.now() + timedelta(hours=2)
    for key_id in vault.ended(later):
        vault.destroy(key_id)
    with pytest.raises(keyring.KeyDestroyed):
        vault.open(sealed)
    assert vault.open_or_none(sealed) is None
    assert list(keyring.keyring_dir(settings).iterdir()) == []  # no key file left behind
