"""Hotline operators: a dispatcher's phone number (sealed under the keyring, shown to nobody,
opened only to ring it while on shift) and going on and off hotline duty. The worker re-seals
the numbers under each new key and destroys the keys no number uses any more."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos import keyring
from vecinos.alerts import contacts
from vecinos.config import Settings
from vecinos.errors import Conflict
from vecinos.hotline.call_models import HotlineOperator
from vecinos.i18n import N_

# A number sealed just before its key's period ended has committed this long after.
GRACE = timedelta(minutes=15)


def of_member(db: Session, member_id: int) -> HotlineOperator | None:
    return db.scalar(select(HotlineOperator).where(HotlineOperator.member_id == member_id))


def set_phone(
    db: Session, member_id: int, raw: str, settings: Settings, *, now: datetime
) -> HotlineOperator:
    """Declare (or change) the number the hotline rings; checked, then sealed."""
    e164 = contacts.phone(raw).key
    sealed = keyring.hotline_operators(settings).seal(e164, until=now)
    operator = of_member(db, member_id)
    if operator is None:
        operator = HotlineOperator(member_id=member_id, phone_encrypted=sealed, on_duty=False)
        db.add(operator)
    operator.phone_encrypted = sealed
    db.flush()
    return operator


def set_duty(db: Session, member_id: int, on: bool, now: datetime) -> HotlineOperator:
    operator = of_member(db, member_id)
    if operator is None:
        raise Conflict(
            N_("Declare the phone number the hotline should ring first."), code="no_operator_phone"
        )
    operator.on_duty = on
    operator.duty_since = now if on else None
    return operator


def forget(db: Session, member_id: int) -> None:
    """The operator withdraws: the sealed number goes."""
    operator = of_member(db, member_id)
    if operator is not None:
        db.delete(operator)


def rotate_keys(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's job: numbers sealed under an older key move to the current one; once
    none is behind, the keys that are over and unused are destroyed after commit (a withdrawn
    operator's number, wherever a copy of it survives, no longer opens)."""
    vault = keyring.hotline_operators(settings)
    current = vault.key_id_for(now)
    moved = 0
    for operator in db.scalars(select(HotlineOperator).with_for_update(skip_locked=True)):
        if keyring.Vault.key_id_of(operator.phone_encrypted) == current:
            continue
        phone = vault.open_or_none(operator.phone_encrypted)
        if phone is None:  # its key is gone: nobody can ring this operator until they re-declare
            db.delete(operator)
        else:
            operator.phone_encrypted = vault.seal(phone, until=now)
        moved += 1
    db.flush()
    used = {keyring.Vault.key_id_of(p) for p in db.scalars(select(HotlineOperator.phone_encrypted))}
    doomed = [key_id for key_id in vault.ended(now, GRACE) if key_id not in used]
    keyring.destroy_after_commit(db, vault, doomed)
    return moved
