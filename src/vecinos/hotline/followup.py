"""The one line a texter gets once volunteers settle their report, queued in the outbox.

Each follow-up is claimed by deleting its row (only one worker's delete counts), so the line is
queued once however many workers run; a follow-up whose incident nobody settled before the
contact retention ends is deleted unsent, sealed number and all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vecinos import keyring
from vecinos.alerts import outbox
from vecinos.alerts.models import ChannelKind
from vecinos.config import Settings
from vecinos.db.claims import rowcount
from vecinos.hotline import words
from vecinos.hotline.models import TextFollowUp
from vecinos.i18n import gettext
from vecinos.incidents.models import Incident, IncidentState
from vecinos.reports.models import Report

STATUS_PURPOSE = "status"
BATCH = 200
OUTCOMES = {
    IncidentState.CONFIRMED: words.STATUS_CONFIRMED,
    IncidentState.UNFOUNDED: words.STATUS_UNFOUNDED,
    IncidentState.EXPIRED: words.STATUS_EXPIRED,
}
# An incident that was confirmed or unfounded and then ended still tells its verdict.
VERDICTS = {"confirmed": IncidentState.CONFIRMED, "unfounded": IncidentState.UNFOUNDED}


def send_due(db: Session, now: datetime, settings: Settings) -> int:
    """Queue the status line of every texted report whose incident reached an outcome."""
    queued = 0
    for follow_up, incident in _settled(db):
        outcome = _outcome(incident)
        if outcome is None or not _claim(db, follow_up.id):
            continue
        _queue(db, follow_up, outcome, now=now, settings=settings)
        queued += 1
    return queued + _purge_lapsed(db, now)


def _settled(db: Session) -> list[tuple[TextFollowUp, Incident]]:
    query = (
        select(TextFollowUp, Incident)
        .join(Report, Report.id == TextFollowUp.report_id)
        .join(Incident, Incident.id == Report.incident_id)
        .where(Incident.verdict.is_not(None) | (Incident.state == IncidentState.EXPIRED))
        .order_by(TextFollowUp.id)
        .limit(BATCH)
    )
    return [(row[0], row[1]) for row in db.execute(query)]


def _outcome(incident: Incident) -> IncidentState | None:
    if incident.verdict in VERDICTS:
        return VERDICTS[incident.verdict]
    return IncidentState.EXPIRED if incident.state == IncidentState.EXPIRED else None


def _claim(db: Session, follow_up_id: int) -> bool:
    return rowcount(db, delete(TextFollowUp).where(TextFollowUp.id == follow_up_id)) == 1


def _queue(
    db: Session,
    follow_up: TextFollowUp,
    outcome: IncidentState,
    *,
    now: datetime,
    settings: Settings,
) -> None:
    text = gettext(follow_up.language, OUTCOMES[outcome]).format(
        coalition=settings.coalition_name, reference=str(follow_up.report_id)
    )
    contact = keyring.report_contacts(settings).open_or_none(follow_up.contact_encrypted)
    if contact is None:
        return  # its key is already destroyed: the number is gone, so is the status line
    outbox.queue_direct(
        db,
        channel=ChannelKind(follow_up.channel),  # back the way the report came: SMS or WhatsApp
        message=outbox.DirectMessage(text=text),
        language=follow_up.language,
        purpose=STATUS_PURPOSE,
        settings=settings,
        now=now,
        contact=contact,
    )


def _purge_lapsed(db: Session, now: datetime) -> int:
    return rowcount(db, delete(TextFollowUp).where(TextFollowUp.purge_at <= now))
