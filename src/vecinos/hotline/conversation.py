"""REPORT / REPORTE by text: what, where, when as numbered menus, then a report on the board.

Only menu choices and gazetteer places are kept between messages (never what the sender
typed), under a keyed index of the number. Nothing reaches the board before the last answer;
a conversation left half-way expires and the worker deletes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vecinos import keyring
from vecinos.alerts.channels import whatsapp_numbers
from vecinos.alerts.models import ChannelKind
from vecinos.config import Settings
from vecinos.crypto import blind_index
from vecinos.errors import AppError
from vecinos.geo.gazetteer import NamedPlace, search_places
from vecinos.geo.names import fold
from vecinos.hotline import words
from vecinos.hotline.models import Step, TextConversation, TextFollowUp
from vecinos.reports import intake, sources
from vecinos.reports.models import Source
from vecinos.reports.schemas import LocationIn, PlaceIn, ReportFields

REPORT_WORDS = {"REPORT": "en", "REPORTE": "es", "REPORTAR": "es"}
MAX_ANSWER = 100  # characters: a menu number or a place name, never a story
PLACES_OFFERED = 3
SENDER_PURPOSE = "text-conversation"


@dataclass(frozen=True)
class Sender:
    """Who texted: the number in E.164 (kept in memory only) and the channel it came by."""

    e164: str
    channel: str  # "sms" or "whatsapp"


def start(db: Session, sender: Sender, language: str, *, now: datetime, settings: Settings) -> str:
    """A fresh conversation (an earlier one is dropped) and the first question."""
    db.execute(
        delete(TextConversation).where(TextConversation.sender_index == _index(sender, settings))
    )
    db.add(
        TextConversation(
            sender_index=_index(sender, settings),
            channel=sender.channel,
            language=language,
            step=Step.WHAT,
            answers={},
            started_at=now,
            expires_at=now + timedelta(minutes=settings.text_conversation_minutes),
        )
    )
    return words.say(language, words.ASK_WHAT, settings)


def find(db: Session, sender: Sender, settings: Settings) -> TextConversation | None:
    return db.scalar(
        select(TextConversation).where(TextConversation.sender_index == _index(sender, settings))
    )


def expired(db: Session, conversation: TextConversation, settings: Settings) -> str:
    """The answer to a late reply: the half-written report is dropped now, not kept."""
    db.delete(conversation)
    keyword = _keyword(conversation.language)
    return words.say(conversation.language, words.EXPIRED, settings, keyword=keyword)


def nothing_open(language: str, settings: Settings) -> str:
    return words.say(language, words.NOTHING_OPEN, settings, keyword=_keyword(language))


def answer(
    db: Session,
    conversation: TextConversation,
    sender: Sender,
    body: str,
    *,
    now: datetime,
    settings: Settings,
) -> str:
    """The next question, the same one again with why, or the receipt at the end."""
    language = conversation.language
    if len(body) > MAX_ANSWER:
        return words.say(language, words.TOO_LONG, settings)
    step = Step(conversation.step)
    if step == Step.WHAT:
        return _answer_what(conversation, body, settings)
    if step == Step.WHERE:
        return _answer_where(db, conversation, body, settings)
    if step == Step.PICK_PLACE:
        return _answer_pick(db, conversation, body, settings)
    return _answer_when(db, conversation, sender, body, now=now, settings=settings)


def _answer_what(conversation: TextConversation, body: str, settings: Settings) -> str:
    choice = _choice(body, len(words.WHAT_CHOICES))
    if choice is None:
        return _again(conversation.language, len(words.WHAT_CHOICES), settings)
    _advance(conversation, Step.WHERE, activity=words.WHAT_CHOICES[choice].value)
    return words.say(conversation.language, words.ASK_WHERE, settings)


def _answer_where(
    db: Session, conversation: TextConversation, body: str, settings: Settings
) -> str:
    found = search_places(db, body, PLACES_OFFERED, area_geojson=settings.service_area_geojson)
    if not found:
        return words.say(conversation.language, words.UNKNOWN_PLACE, settings)
    exact = [place for place in found if fold(place.name) == fold(body)]
    if len(found) == 1 or exact:
        return _placed(conversation, (exact or found)[0], settings)
    offered = [[place.kind, place.key, place.name] for place in found]
    _advance(conversation, Step.PICK_PLACE, offered=offered)
    choices = ", ".join(f"{n} {place.name}" for n, place in enumerate(found, start=1))
    return words.say(conversation.language, words.ASK_PICK, settings, choices=choices)


def _answer_pick(db: Session, conversation: TextConversation, body: str, settings: Settings) -> str:
    offered: list[list[str]] = conversation.answers["offered"]
    choice = _choice(body, len(offered))
    if choice is not None:
        kind, key, _name = offered[choice]
        _advance(conversation, Step.WHEN, place=[kind, key])
        return words.say(conversation.language, words.ASK_WHEN, settings)
    if body.strip().isdigit():
        return _again(conversation.language, len(offered), settings)
    return _answer_where(db, conversation, body, settings)  # another name: search again


def _placed(conversation: TextConversation, place: NamedPlace, settings: Settings) -> str:
    _advance(conversation, Step.WHEN, place=[place.kind, place.key])
    return words.say(conversation.language, words.ASK_WHEN, settings)


def _answer_when(
    db: Session,
    conversation: TextConversation,
    sender: Sender,
    body: str,
    *,
    now: datetime,
    settings: Settings,
) -> str:
    choice = _choice(body, len(words.WHEN_MINUTES_AGO))
    if choice is None:
        return _again(conversation.language, len(words.WHEN_MINUTES_AGO), settings)
    observed = now - timedelta(minutes=words.WHEN_MINUTES_AGO[choice])
    try:
        report_id = _file_report(db, conversation, sender, observed, now=now, settings=settings)
    except AppError:
        # The place resolved to somewhere outside the area (or vanished): ask again.
        _advance(conversation, Step.WHERE)
        return words.say(conversation.language, words.NOT_PLACED, settings)
    language = conversation.language
    db.delete(conversation)
    receipt = words.RECEIPT if _follows_up(sender, settings) else words.RECEIPT_ONLY
    return words.say(language, receipt, settings, reference=str(report_id))


def _file_report(
    db: Session,
    conversation: TextConversation,
    sender: Sender,
    observed: datetime,
    *,
    now: datetime,
    settings: Settings,
) -> int:
    """The finished conversation as a report from a daily source hash, and a follow-up row so
    the sender hears how it ended."""
    kind, key = conversation.answers["place"]
    fields = ReportFields(
        activity=conversation.answers["activity"],
        location=LocationIn(place=PlaceIn(kind=kind, key=key)),
        observed_at=observed,
    )
    who = intake.Sender(Source.SMS, sources.source_hash(settings, sender.e164, now))
    vault = keyring.report_contacts(settings)
    report, _ = intake.submit(db, fields, who, now=now, settings=settings, contacts=vault)
    if not _follows_up(sender, settings):
        return report.id  # no way back to them: the number is not kept, the receipt says so
    # Sealed under the key of the hour it is purged: once that key is destroyed, no copy of
    # the number (a dead row, the log, a backup) can be read.
    purge_at = now + timedelta(hours=settings.contact_retention_hours)
    db.add(
        TextFollowUp(
            report_id=report.id,
            channel=sender.channel,
            language=conversation.language,
            contact_encrypted=vault.seal(sender.e164, until=purge_at),
            purge_at=purge_at,
        )
    )
    return report.id


def _follows_up(sender: Sender, settings: Settings) -> bool:
    """Whether the status line can reach the sender on the channel they wrote by: SMS always
    (the outbox holds it until a provider is there), WhatsApp only with a WhatsApp sender."""
    return sender.channel != ChannelKind.WHATSAPP or whatsapp_numbers.reachable(settings)


def _advance(conversation: TextConversation, step: Step, **answers: object) -> None:
    # A new dict: the JSON column notices an assignment, not a change made in place.
    conversation.answers = {**conversation.answers, **answers}
    conversation.step = step


def _choice(body: str, count: int) -> int | None:
    """The 0-based menu choice, or None for anything but a number on offer."""
    text = body.strip().rstrip(".")
    if text.isdigit() and len(text) <= 2 and 1 <= int(text) <= count:
        return int(text) - 1
    return None


def _again(language: str, count: int, settings: Settings) -> str:
    return words.say(language, words.UNKNOWN_CHOICE, settings, count=str(count))


def _keyword(language: str) -> str:
    return "REPORTE" if language == "es" else "REPORT"


def _index(sender: Sender, settings: Settings) -> str:
    return blind_index(settings.secret, SENDER_PURPOSE, f"{sender.channel}:{sender.e164}")


def purge_expired(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's sweep: conversations nobody finished in time are deleted, answers and all."""
    result = db.execute(delete(TextConversation).where(TextConversation.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
