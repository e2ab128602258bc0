"""The encrypted part of a case: how the person wishes to be named, the family's contact,
next steps and notes, sealed together under a key derived for this purpose only."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from vecinos.config import Settings
from vecinos.crypto import Encryptor

PURPOSE = "followup-case"


@dataclass(frozen=True)
class Private:
    name: str
    family_contact: str | None = None
    next_steps: str | None = None
    notes: str | None = None


def encryptor(settings: Settings) -> Encryptor:
    return Encryptor(settings.secret, PURPOSE, settings.old_secrets)


def seal(private: Private, sealer: Encryptor) -> bytes:
    return sealer.encrypt(json.dumps(asdict(private), ensure_ascii=False))


def unseal(token: bytes, sealer: Encryptor) -> Private:
    return Private(**json.loads(sealer.decrypt(token)))
