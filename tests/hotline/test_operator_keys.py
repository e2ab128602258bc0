"""Operators' phone numbers live under the keyring: sealed under the current key, moved to
each new key by the worker while the operator stays, and unreadable everywhere once they
withdraw and that key's period is over. Numbers sealed before the keyring still open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from vecinos import keyring
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import transaction
from vecinos.hotline import operators
from vecinos.hotline.call_models import HotlineOperator

PHONE = "+12135550111"


def sealed_of(sessions: sessionmaker[Session], member_id: int) -> bytes:
    with transaction(sessions) as db:
        return bytes(
            db.scalars(
                select(HotlineOperator.phone_encrypted).where(
                    HotlineOperator.member_id == member_id
                )
            ).one()
        )


def test_numbers_move_to_each_new_key_and_die_with_it_after_withdrawal(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, clock: FrozenClock
) -> None:
    vault = keyring.hotline_operators(settings)
    with transaction(sessions) as db:
        operators.set_phone(db, cast.dario.member_id, PHONE, settings, now=clock.now())
    first = sealed_of(sessions, cast.dario.member_id)
    assert first.startswith(b"v1:hotline-operator-") and PHONE.encode() not in first
    assert vault.open(first) == PHONE

    clock.advance(hours=settings.subscriber_key_hours, minutes=20)
    with transaction(sessions) as db:
        assert operators.rotate_keys(db, clock.now(), settings) == 1
    second = sealed_of(sessions, cast.dario.member_id)
    assert keyring.Vault.key_id_of(second) != keyring.Vault.key_id_of(first)
    assert vault.open(second) == PHONE
    assert keyring.Vault.key_id_of(first) not in vault.key_ids()  # nobody used it: destroyed
    with pytest.raises(keyring.KeyDestroyed):
        vault.open(first)  # a copy left anywhere (a dead row, a backup) opens no more

    with transaction(sessions) as db:
        operators.forget(db, cast.dario.member_id)
    clock.advance(hours=settings.subscriber_key_hours, minutes=20)
    with transaction(sessions) as db:
        assert operators.rotate_keys(db, clock.now(), settings) == 0
    with pytest.raises(keyring.KeyDestroyed):
        vault.open(second)


def test_a_number_sealed_before_the_keyring_still_rings_and_is_moved(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, clock: FrozenClock
) -> None:
    legacy = Encryptor(settings.secret, "hotline-operator", settings.old_secrets).encrypt(PHONE)
    with transaction(sessions) as db:
        db.add(HotlineOperator(member_id=cast.dario.member_id, phone_encrypted=legacy))
    vault = keyring.hotline_operators(settings)
    assert vault.open(legacy) == PHONE
    with transaction(sessions) as db:
        assert operators.rotate_keys(db, clock.now() + timedelta(seconds=1), settings) == 1
    assert vault.open(sealed_of(sessions, cast.dario.member_id)) == PHONE
    assert sealed_of(sessions, cast.dario.member_id).startswith(b"v1:hotline-operator-")
