"""Subscribers' contacts move to the current data key, and keys nobody uses are destroyed.

A live subscription's contact must stay readable for as long as it lives; an ended one's must
become unreadable everywhere, including the copies PostgreSQL keeps in dead rows and its log.
So every `VECINOS_SUBSCRIBER_KEY_HOURS` a new key takes over, this job re-seals the live
contacts under it, and a key that no row uses any more is destroyed: whatever an ended
subscription left behind was sealed under a key that is gone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from vecinos import keyring
from vecinos.alerts import contacts
from vecinos.alerts.models import Subscription, SubscriptionStatus
from vecinos.config import Settings

BATCH = 2000  # about a tenth of a second of crypto; a million subscribers move in hours
# A key is kept this long past its period: a subscription sealed just before the period ended
# has committed by then, and moves with the next run.
GRACE = timedelta(minutes=15)


def rotate_contact_keys(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's job: re-seal up to BATCH contacts; once none is left behind, destroy the
    keys that are over (after this transaction commits)."""
    vault = keyring.subscribers(settings)
    current = vault.key_id_for(vault.period_of(now).start)
    behind = db.scalars(
        select(Subscription)
        .where(
            Subscription.contact_encrypted.is_not(None),
            or_(Subscription.contact_key.is_(None), Subscription.contact_key < current),
        )
        .order_by(Subscription.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    for subscription in behind:
        _reseal(subscription, vault, now)
    if len(behind) < BATCH:
        used = set(db.scalars(select(Subscription.contact_key).distinct()))
        doomed = [key_id for key_id in vault.ended(now, GRACE) if key_id not in used]
        keyring.destroy_after_commit(db, vault, doomed)
    return len(behind)


def _reseal(subscription: Subscription, vault: keyring.Vault, now: datetime) -> None:
    assert subscription.contact_encrypted is not None
    try:
        value = vault.open(subscription.contact_encrypted)
    except keyring.KeyDestroyed:
        # Its key is gone (a lost keyring): nothing can reach this subscriber any more.
        subscription.status = SubscriptionStatus.DISABLED
        subscription.ended_at = now
        subscription.contact_encrypted, subscription.contact_key = None, None
        return
    subscription.contact_encrypted, subscription.contact_key = contacts.seal(value, vault, now)
