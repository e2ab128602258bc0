"""What coverage says to people, queued in the one outbox (`alerts.outbox.queue_direct`) in the
caller's transaction: sent by the delivery engine if and only if what caused it commits.

Members are reached through the channels they chose for themselves (their sealed contacts);
a resident who asked for accompaniment through the channel they gave. Texts are short enough
for one or two SMS segments and name no resident.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from vecinos.alerts import outbox
from vecinos.alerts.models import ChannelKind
from vecinos.config import Settings
from vecinos.coverage import contacts, wording
from vecinos.coverage.models import Accompaniment
from vecinos.i18n import INTERFACE_LANGUAGES, N_, gettext
from vecinos.keyring import Vault

Compose = Callable[[str], "Text"]


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def link(settings: Settings, path: str) -> str:
    return settings.public_url.rstrip("/") + path


def say(language: str, template: str, /, **values: object) -> str:
    return gettext(language, template).format(**values)


def tell_members(
    db: Session,
    member_ids: Sequence[int],
    compose: Compose,
    *,
    purpose: str,
    now: datetime,
    settings: Settings,
    expires_at: datetime | None = None,
) -> set[int]:
    """One message per contact each member chose; returns the members reached."""
    reached: set[int] = set()
    for person in contacts.reachable(db, member_ids, settings):
        text = compose(person.language)
        outbox.queue_direct(
            db,
            channel=person.channel,
            message=outbox.DirectMessage(text=text.body, subject=text.subject),
            language=person.language,
            purpose=purpose,
            settings=settings,
            now=now,
            contact=person.contact,
            expires_at=expires_at,
        )
        reached.add(person.member_id)
    return reached


def tell_requester(
    db: Session,
    row: Accompaniment,
    compose: Compose,
    *,
    opener: Vault,
    now: datetime,
    settings: Settings,
) -> None:
    language = row.language if row.language in INTERFACE_LANGUAGES else settings.default_language
    text = compose(language)
    outbox.queue_direct(
        db,
        channel=ChannelKind(row.channel),
        message=outbox.DirectMessage(text=text.body, subject=text.subject),
        language=language,
        purpose="coverage.accompaniment",
        settings=settings,
        now=now,
        contact=opener.open(row.contact_encrypted),
        expires_at=row.at,
    )


# --- The texts ------------------------------------------------------------------------------

RECEIVED = N_(
    "{coalition}: we received your request for accompaniment on {day} at {time}, {place}."
    " We will write again when a volunteer confirms."
)
CONFIRMED = N_(
    "{coalition}: a volunteer will accompany you on {day} at {time}, {place}."
    " If your plans change, call your organization."
)
OFFERED = N_(
    "{coalition}: can you accompany someone ({kind}) on {day} at {time}, {place}, in {language}?"
    " Answer here: {link}"
)


def about_request(row: Accompaniment, template: str, settings: Settings) -> Compose:
    """The texts about one request, in the reader's language (the requester's, a volunteer's)."""
    zone = settings.alert_timezone

    def compose(language: str) -> Text:
        body = say(
            language,
            template,
            coalition=settings.coalition_name,
            day=wording.day(row.at, zone, language),
            time=wording.clock_time(row.at, zone, language),
            place=row.place_name,
            kind=gettext(language, wording.ACCOMPANIMENT_KINDS[row.kind]).lower(),
            language=wording.language_name(row.language, language),
            link=link(settings, "/coverage#accompaniment"),
        )
        return Text(gettext(language, N_("Accompaniment")), body)

    return compose
