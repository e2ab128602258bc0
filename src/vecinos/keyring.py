"""Crypto-shredding: personal contacts are encrypted with data keys that belong to a period of
time, and a period's key is destroyed when the period ends.

Erasing a row is not enough: PostgreSQL keeps the old row in its table files until the space is
reused and in its write-ahead log until the segment is recycled, backups keep everything, and
SQLite's WAL keeps old pages. Whatever copy survives, its ciphertext needs a key that no longer
exists anywhere, and the deployment key does not bring it back: data keys are random, not
derived. That is also why they never live in the database (its log would keep them too): each
is a small file in `VECINOS_KEYRING_DIR`, wrapped with a key derived from the deployment
secret (a stolen key file alone opens nothing), and destroyed by overwriting and unlinking it.

A `Vault` is one purpose's keys (`report-contact` by the hour a contact is purged,
`subscriber` and `member-contact` by the day it was sealed). `seal` names its key in what it returns
(`v1:<key id>:<Fernet token>`); `open` reads that name. Tokens made before the keyring existed
(plain Fernet under the deployment secret) still open, until they are purged or re-sealed.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import AtTransactionEnd

PREFIX = b"v1:"
KEY_ID = re.compile(r"^[a-z-]+-\d{8}T\d{2}$")
WRAP_PURPOSE = "keyring"


class KeyDestroyed(ValueError):
    """The data key of this ciphertext was destroyed: what it held is gone for good."""


@dataclass(frozen=True)
class Period:
    """A key's span of time: [start, start + length)."""

    purpose: str
    start: datetime

    @property
    def key_id(self) -> str:
        return f"{self.purpose}-{self.start:%Y%m%dT%H}"


class Vault:
    """One purpose's data keys, in files under `directory`, `hours` long each."""

    def __init__(
        self,
        directory: Path,
        purpose: str,
        hours: int,
        secret: str,
        old_secrets: Sequence[str] = (),
        legacy_purpose: str | None = None,
    ) -> None:
        self.directory = directory
        self.purpose = purpose
        self.length = timedelta(hours=hours)
        self._wrapper = Encryptor(secret, WRAP_PURPOSE, old_secrets)
        self._legacy = Encryptor(secret, legacy_purpose, old_secrets) if legacy_purpose else None
        self._keys: dict[str, Fernet] = {}
        self._lock = threading.Lock()

    # --- sealing and opening ------------------------------------------------------------------

    def period_of(self, moment: datetime) -> Period:
        epoch = datetime(2000, 1, 1, tzinfo=UTC)
        steps = (moment.astimezone(UTC) - epoch) // self.length
        return Period(self.purpose, epoch + steps * self.length)

    def key_id_for(self, until: datetime) -> str:
        return self.period_of(until).key_id

    def seal(self, plaintext: str, *, until: datetime) -> bytes:
        """Encrypt under the key of the period holding `until`, the moment after which the
        plaintext may be gone: the key lives until that period ends, and not longer."""
        key_id = self.key_id_for(until)
        token = self._key(key_id, create=True).encrypt(plaintext.encode())
        return PREFIX + key_id.encode() + b":" + token

    def open(self, sealed: bytes) -> str:
        """The plaintext, or KeyDestroyed when its key is gone (ValueError if it is damaged)."""
        sealed = bytes(sealed)
        if not sealed.startswith(PREFIX):
            if self._legacy is None:
                raise ValueError("not a sealed value")
            return self._legacy.decrypt(sealed)
        key_id, _, token = sealed[len(PREFIX) :].partition(b":")
        if not key_id.decode().startswith(f"{self.purpose}-"):
            raise ValueError(f"not sealed by the {self.purpose} vault")
        try:
            return self._key(key_id.decode(), create=False).decrypt(token).decode()
        except InvalidToken as exc:
            raise ValueError("the sealed value does not open under its key") from exc

    def open_or_none(self, sealed: bytes | None) -> str | None:
        """None for nothing stored or a destroyed key (its period is over: nothing to show)."""
        if sealed is None:
            return None
        try:
            return self.open(sealed)
        except KeyDestroyed:
            return None

    @staticmethod
    def key_id_of(sealed: bytes) -> str | None:
        sealed = bytes(sealed)
        return (
            sealed[len(PREFIX) :].partition(b":")[0].decode() if sealed.startswith(PREFIX) else None
        )

    # --- keys -----------------------------------------------------------------------------------

    def key_ids(self) -> list[str]:
        """This purpose's keys that exist, oldest first."""
        if not self.directory.is_dir():
            return []
        found = (p.stem for p in self.directory.glob(f"{self.purpose}-*.key"))
        return sorted(k for k in found if KEY_ID.match(k))

    def ended(self, now: datetime, grace: timedelta = timedelta(0)) -> list[str]:
        """Keys whose period was over `grace` ago (a request that sealed with a key just
        before its period ended has committed by then)."""
        current = self.period_of(now - grace).key_id
        return [key_id for key_id in self.key_ids() if key_id < current]

    def destroy(self, key_id: str) -> None:
        """Overwrite the key file, then unlink it (and forget it here). What a copy of the
        disk keeps of freed blocks is the file system's; the database never held the key."""
        with self._lock:
            self._keys.pop(key_id, None)
        path = self._path(key_id)
        try:
            with path.open("r+b") as file:
                file.write(secrets.token_bytes(max(1, path.stat().st_size)))
                file.flush()
                os.fsync(file.fileno())
        except FileNotFoundError:
            return
        path.unlink(missing_ok=True)
        _sync_directory(self.directory)

    def _key(self, key_id: str, *, create: bool) -> Fernet:
        with self._lock:
            found = self._keys.get(key_id)
            if found is None:
                found = Fernet(self._load(key_id, create=create))
                self._keys = {k: v for k, v in self._keys.items() if k >= key_id} | {
                    key_id: found
                }  # older keys are not kept in memory: the files decide what still exists
            return found

    def _load(self, key_id: str, *, create: bool) -> bytes:
        path = self._path(key_id)
        try:
            return self._wrapper.decrypt(path.read_bytes()).encode()
        except FileNotFoundError:
            if not create:
                raise KeyDestroyed(f"the data key {key_id} was destroyed") from None
        return self._create(path)

    def _create(self, path: Path) -> bytes:
        """A new random key, written whole before it appears under its name; when two
        processes race, the first file wins and both use it."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Fernet.generate_key()
        draft = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        draft.write_bytes(self._wrapper.encrypt(key.decode()))
        os.chmod(draft, 0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            return self._wrapper.decrypt(path.read_bytes()).encode()
        finally:
            draft.unlink(missing_ok=True)
        _sync_directory(self.directory)
        return key

    def _path(self, key_id: str) -> Path:
        if not KEY_ID.match(key_id):
            raise ValueError(f"not a key id: {key_id!r}")
        return self.directory / f"{key_id}.key"


def _destroy_all(_: Session, doomed: list[tuple[Vault, str]]) -> None:
    for vault, key_id in doomed:
        vault.destroy(key_id)


# Keys go once the transaction that stopped needing them has committed: a rollback keeps them.
_AFTER_COMMIT: AtTransactionEnd[tuple[Vault, str]] = AtTransactionEnd(
    "keyring.destroy", on_commit=_destroy_all
)


def destroy_after_commit(db: Session, vault: Vault, key_ids: Sequence[str]) -> None:
    for key_id in key_ids:
        _AFTER_COMMIT.add(db, (vault, key_id))


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# Report contacts: one key per hour of purge time, so a key outlives its contacts by an hour.
REPORT_CONTACTS = ("report-contact", "contact")
# Subscribers: one key per VECINOS_SUBSCRIBER_KEY_HOURS; live ones are re-sealed under the next.
SUBSCRIBERS = ("subscriber", "subscriber")
# Members' own reminder contacts: renewed like subscribers' (`coverage.contacts`); before the
# keyring they were sealed under the deployment secret with the same purpose, which still opens.
MEMBER_CONTACTS = ("member-contact", "member-contact")
# Accompaniment requesters: one key per hour of purge time, like report contacts (the purge
# job destroys it with the rows); sealed before under the deployment secret, which still opens.
ACCOMPANIMENTS = ("accompaniment", "accompaniment")
# Hotline operators' phones: like subscribers' contacts, re-sealed under each new key while the
# operator stays; a withdrawn operator's number dies with the key it was last sealed under.
HOTLINE_OPERATORS = ("hotline-operator", "hotline-operator")


def keyring_dir(settings: Settings) -> Path:
    return settings.keyring_dir or settings.data_dir / "keyring"


def report_contacts(settings: Settings) -> Vault:
    return _vault(settings, *REPORT_CONTACTS, 1)


def subscribers(settings: Settings) -> Vault:
    return _vault(settings, *SUBSCRIBERS, settings.subscriber_key_hours)


def member_contacts(settings: Settings) -> Vault:
    return _vault(settings, *MEMBER_CONTACTS, settings.subscriber_key_hours)


def accompaniments(settings: Settings) -> Vault:
    return _vault(settings, *ACCOMPANIMENTS, 1)


def hotline_operators(settings: Settings) -> Vault:
    return _vault(settings, *HOTLINE_OPERATORS, settings.subscriber_key_hours)


def _vault(settings: Settings, purpose: str, legacy: str, hours: int) -> Vault:
    return _made(
        keyring_dir(settings), purpose, hours, settings.secret, tuple(settings.old_secrets), legacy
    )


@cache
def _made(
    directory: Path, purpose: str, hours: int, secret: str, old: tuple[str, ...], legacy: str
) -> Vault:
    """One vault per directory and purpose in a process, so keys are read once."""
    return Vault(directory, purpose, hours, secret, old, legacy)
