"""Members' own contacts for reminders and broadcasts: a channel they chose, sealed at rest.

Phones and e-mails are checked and normalised like subscribers' (`alerts.contacts`); the
contact is stored only encrypted, under a key of its own purpose, and opened only to hand it
to the outbox, which seals it again on the delivery and erases it once the message is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vecinos.alerts import contacts as checked
from vecinos.alerts.models import ChannelKind
from vecinos.coverage.models import MemberContact, MemberPreferences
from vecinos.crypto import Encryptor
from vecinos.dispatch.shifts import clean_languages
from vecinos.errors import InvalidInput
from vecinos.i18n import INTERFACE_LANGUAGES, N_

PURPOSE = "member-contact"
CHANNELS = (ChannelKind.SMS, ChannelKind.EMAIL)


@dataclass(frozen=True)
class Reachable:
    """One way to reach a member, opened for the outbox."""

    member_id: int
    channel: ChannelKind
    contact: str
    language: str


def set_contact(
    db: Session,
    member_id: int,
    channel: str,
    raw: str,
    language: str,
    *,
    sealer: Encryptor,
    now: datetime,
) -> MemberContact:
    if channel not in {c.value for c in CHANNELS}:
        raise InvalidInput(N_("Reminders go by text message or e-mail."), code="unknown_channel")
    contact = checked.phone(raw) if channel == ChannelKind.SMS.value else checked.email(raw)
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
    row.contact_encrypted = sealer.encrypt(contact.value)
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


def reachable(db: Session, member_ids: Sequence[int], opener: Encryptor) -> list[Reachable]:
    """Every contact of these members, opened (for the outbox only)."""
    if not member_ids:
        return []
    rows = db.scalars(
        select(MemberContact)
        .where(MemberContact.member_id.in_(sorted(set(member_ids))))
        .order_by(MemberContact.member_id, MemberContact.channel)
    )
    return [
        Reachable(
            r.member_id, ChannelKind(r.channel), opener.decrypt(r.contact_encrypted), r.language
        )
        for r in rows
    ]


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
