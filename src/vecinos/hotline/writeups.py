"""From a call to a report: the voicemails still waiting on the board, what a prefilled hotline
report knows of its call (language, time, reference), and the report written from it.
Every change to a call is told to the consoles' hotline panels (`Topic.HOTLINE`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel import Locale, UnknownLocaleError
from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos import events, keyring
from vecinos.config import Settings
from vecinos.errors import Conflict, NotFound
from vecinos.hotline.call_models import HotlineCall
from vecinos.i18n import N_, gettext
from vecinos.reports import intake, sources
from vecinos.reports.models import Report, Source
from vecinos.reports.schemas import ReportFields

ON_BOARD = 50  # voicemails waiting on the board at most (the oldest wait longest: shown first)


def changed(db: Session, call_id: int) -> None:
    """Tell every console once this transaction commits (ids only, read again by the page)."""
    events.emit(db, events.Topic.HOTLINE, {"call": call_id})


def reference(call_id: int) -> str:
    """How staff name a call aloud and in notes: short, and no number of the caller's."""
    return f"L-{call_id}"


def language_name(code: str | None, language: str) -> str:
    """ "español" for "es" in Spanish; said plainly when the caller chose none."""
    if code is None:
        return gettext(language, N_("language not chosen"))
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(language) or code
    except (ValueError, UnknownLocaleError):
        return code


@dataclass(frozen=True)
class CallFacts:
    """What a hotline report prefilled from a call shows."""

    id: int
    reference: str
    language: str | None
    started_at: datetime
    recording_seconds: int | None
    playable: bool
    report_id: int | None


def facts_of(call: HotlineCall) -> CallFacts:
    return CallFacts(
        id=call.id,
        reference=reference(call.id),
        language=call.language,
        started_at=call.started_at,
        recording_seconds=call.recording_seconds,
        playable=call.recording_key is not None,
        report_id=call.report_id,
    )


def voicemails(db: Session) -> list[CallFacts]:
    """Messages nobody has written up yet, oldest first (the longest waiting on top)."""
    query = (
        select(HotlineCall)
        .where(HotlineCall.recording_sid.is_not(None), HotlineCall.report_id.is_(None))
        .order_by(HotlineCall.id)
        .limit(ON_BOARD)
    )
    return [facts_of(call) for call in db.scalars(query)]


def call_facts(db: Session, call_id: int) -> CallFacts:
    call = db.get(HotlineCall, call_id)
    if call is None:
        raise NotFound(N_("No such call."), code="call_not_found")
    return facts_of(call)


def write_up(
    db: Session,
    call_id: int,
    data: ReportFields,
    *,
    member_id: int,
    now: datetime,
    settings: Settings,
    idempotency_key: str | None = None,
) -> tuple[Report, bool]:
    """The report of a call (or of its message): filed as a hotline report and linked to the
    call, whose voicemail then leaves the board. A second write-up of one call is refused
    (unless it is the same request retried with its idempotency key)."""
    call = db.get(HotlineCall, call_id, with_for_update=True)
    if call is None:
        raise NotFound(N_("No such call."), code="call_not_found")
    if call.report_id is not None and idempotency_key is None:
        raise Conflict(
            N_("This call is already written up as report {report}."),
            params={"report": call.report_id},
            code="call_already_reported",
        )
    if data.observed_at is None:  # seen when they called, unless the caller said otherwise
        data = data.model_copy(update={"observed_at": call.started_at})
    contacts = keyring.report_contacts(settings)
    # The caller's daily source hash, like a report typed from a call; their sealed number
    # is opened in memory only while the callback retention keeps it.
    number = contacts.open_or_none(call.caller_encrypted)
    sender = intake.Sender(
        Source.HOTLINE,
        sources.source_hash(settings, number or call.call_sid, now),
        entered_by_id=member_id,
    )
    report, created = intake.submit(
        db,
        data,
        sender,
        now=now,
        settings=settings,
        contacts=contacts,
        idempotency_key=idempotency_key,
    )
    if call.report_id is not None and call.report_id != report.id:
        raise Conflict(
            N_("This call is already written up as report {report}."),
            params={"report": call.report_id},
            code="call_already_reported",
        )
    call.report_id = report.id
    changed(db, call.id)
    return report, created
