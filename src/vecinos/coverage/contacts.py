"""Members' own contacts for reminders and broadcasts: a channel they chose, sealed at rest.

Phones, e-mails and push subscriptions are checked and normalised like subscribers'
(`alerts.contacts`). A contact is stored only sealed under a data key of the keyring
(`keyring.member_contacts`, its id in `contact_key`), re-sealed under the next key as keys are
renewed, and opened only to hand it to the outbox, which seals it again on the delivery and
erases it once the message is sent. A removed contact is crypto-shredded: the key it was
sealed under is destroyed once no row uses it, so no copy in the database's dead rows, log or
backups opens any more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from vecinos import keyring
from vecinos.alerts import contacts as checked
from vecinos.alerts.models import ChannelKind
from vecinos.config import Settings
from vecinos.coverage.models import MemberContact, MemberPreferences
from vecinos.dispatch.shifts import clean_languages
from vecinos.errors import InvalidInput
from vecinos.i18n import INTERFACE_LANGUAGES, N_

CHANNELS = (ChannelKind.SMS, ChannelKind.EMAIL, ChannelKind.PUSH)
ROTATE_BATCH = 2000
# A key is kept this long past its period, so a contact sealed just before it ended has
# committed and moves with the next run (as for subscribers).
ROTATE_GRACE = timedelta(minutes=15)


@dataclass(frozen=True)
class Reachable:
    """One way to reach a member, opened for the outbox."""

    member_id: int
    channel: ChannelKind
    contact: str
    language: str


def checked_contact(
    channel: str, raw: str | None, push: dict[str, Any] | None, settings: Settings
) -> checked.Contact:
    """The contact in its channel's normal form, or a clear error (nothing written)."""
    if channel not in {c.value for c in CHANNELS}:
        raise InvalidInput(
            N_("Reminders go by text message, e-mail or notifications on this phone."),
            code="unknown_channel",
        )
    if channel == ChannelKind.PUSH.value:
        if push is None:
            raise InvalidInput(
                N_("The push subscription needs an endpoint and its keys."), code="invalid_push"
            )
        return checked.push(push, settings)
    if not raw:
        raise InvalidInput(N_("Write a phone number or an e-mail address."), code="missing_contact")
    return checked.phone(raw) if channel == ChannelKind.SMS.value else checked.email(raw)


def set_contact(
    db: Session,
    member_id: int,
    channel: str,
    raw: str | None,
    language: str,
    *,
    settings: Settings,
    now: datetime,
    push: dict[str, Any] | None = None,
) -> MemberContact:
    contact = checked_contact(channel, raw, push, settings)
    if language not in INTERFACE_LANGUAGES:
        raise InvalidInput(
            N_("Unknown language '{language}'."), params={"language": language},
            code="unknown_language",
        )  # fmt: skip
    row = db.scalar(
        select(MemberContact).where(
            MemberContact.member_id == member_id, MemberContact.channel == channel
        )
    )
    if row is None:
        row = MemberContact(member_id=member_id, channel=channel, created_at=now)
        db.add(row)
    row.contact_encrypted, row.contact_key = checked.seal(
        contact.value, keyring.member_contacts(settings), now
    )
    row.language = language
    db.flush()
    return row


def remove_contact(db: Session, member_id: int, channel: str) -> None:
    db.execute(
        delete(MemberContact).where(
            MemberContact.member_id == member_id, MemberContact.channel == channel
        )
    )


def channels_of(db: Session, member_id: int) -> list[MemberContact]:
    query = select(MemberContact).where(MemberContact.member_id == member_id)
    return list(db.scalars(query.order_by(MemberContact.channel)))


def reachable(db: Session, member_ids: Sequence[int], settings: Settings) -> list[Reachable]:
    """Every contact of these members that still opens (for the outbox only)."""
    if not member_ids:
        return []
    rows = db.scalars(
        select(MemberContact)
        .where(MemberContact.member_id.in_(sorted(set(member_ids))))
        .order_by(MemberContact.member_id, MemberContact.channel)
    )
    vault = keyring.member_contacts(settings)
    found = []
    for row in rows:
        contact = vault.open_or_none(row.contact_encrypted)
        if contact is not None:  # None: its key is gone, and with it the contact
            found.append(Reachable(row.member_id, ChannelKind(row.channel), contact, row.language))
    return found


def rotate_contact_keys(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's job: re-seal up to a batch of contacts under the current key (including
    those sealed before the keyring, `contact_key` NULL); once none is left behind, destroy the
    keys that are over, after this transaction commits."""
    vault = keyring.member_contacts(settings)
    current = vault.key_id_for(vault.period_of(now).start)
    behind = db.scalars(
        select(MemberContact)
        .where(or_(MemberContact.contact_key.is_(None), MemberContact.contact_key < current))
        .order_by(MemberContact.id)
        .limit(ROTATE_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    for row in behind:
        try:
            value = vault.open(row.contact_encrypted)
        except keyring.KeyDestroyed:
            db.delete(row)  # a lost key: this contact reaches nobody any more
            continue
        row.contact_encrypted, row.contact_key = checked.seal(value, vault, now)
    if len(behind) < ROTATE_BATCH:
        used = set(db.scalars(select(MemberContact.contact_key).distinct()))
        doomed = [k for k in vault.ended(now, ROTATE_GRACE) if k not in used]
        keyring.destroy_after_commit(db, vault, doomed)
    return len(behind)


def preferences_of(db: Session, member_id: int) -> MemberPreferences:
    found = db.get(MemberPreferences, member_id)
    return found or MemberPreferences(member_id=member_id, languages=[], wants_short_notices=True)


def set_preferences(
    db: Session, member_id: int, languages: Sequence[str], wants_short_notices: bool
) -> MemberPreferences:
    cleaned = clean_languages(languages)  # every check before the write
    found = db.get(MemberPreferences, member_id)
    if found is None:
        found = MemberPreferences(member_id=member_id)
        db.add(found)
    found.languages, found.wants_short_notices = cleaned, wants_short_notices
    db.flush()
    return found
