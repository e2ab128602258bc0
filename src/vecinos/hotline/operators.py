"""Hotline operators: a dispatcher's phone number (sealed, shown to nobody, opened only to ring
it while on duty) and going on and off hotline duty."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.alerts import contacts
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.errors import Conflict
from vecinos.hotline.call_models import HotlineOperator
from vecinos.hotline.calls import OPERATOR_PURPOSE
from vecinos.i18n import N_


def of_member(db: Session, member_id: int) -> HotlineOperator | None:
    return db.scalar(select(HotlineOperator).where(HotlineOperator.member_id == member_id))


def set_phone(db: Session, member_id: int, raw: str, settings: Settings) -> HotlineOperator:
    """Declare (or change) the number the hotline rings; checked, then sealed."""
    e164 = contacts.phone(raw).key
    sealed = Encryptor(settings.secret, OPERATOR_PURPOSE, settings.old_secrets).encrypt(e164)
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
