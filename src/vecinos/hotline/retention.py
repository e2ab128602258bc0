"""The hotline forgets on schedule: a caller's voice message is erased from evidence storage
once `hotline_message_days` have passed, and the call log's rows (a caller's keyed index, the
language, who answered) are deleted after `hotline_call_log_days`. The metrics read no further
back than the log keeps. Bans stay: they hold only the keyed index, until a coordinator lifts
them."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.db import AtTransactionEnd
from vecinos.db.claims import rowcount
from vecinos.evidence.storage import storage_for
from vecinos.hotline.call_models import HotlineCall

log = logging.getLogger("vecinos.hotline")
BATCH = 200
ERASED = "erased"
Erasure = tuple[str, Settings]  # a storage key, and the settings that name the storage


def purge(db: Session, now: datetime, settings: Settings) -> int:
    """The worker's sweep: old messages erased, old call-log rows deleted; how many in all."""
    return erase_messages(db, now, settings) + delete_old_calls(db, now, settings)


def erase_messages(db: Session, now: datetime, settings: Settings) -> int:
    """Messages left before the window: the row forgets where the audio was at once, and the
    audio itself goes from storage once that is committed (a rollback keeps both)."""
    before = now - timedelta(days=settings.hotline_message_days)
    due = list(
        db.execute(
            select(HotlineCall.id, HotlineCall.recording_key)
            .where(HotlineCall.recording_key.is_not(None), HotlineCall.started_at < before)
            .limit(BATCH)
        ).all()
    )
    if not due:
        return 0
    db.execute(
        update(HotlineCall)
        .where(HotlineCall.id.in_([call_id for call_id, _ in due]))
        .values(recording_key=None, recording_state=ERASED, recording_next_at=None)
        .execution_options(synchronize_session=False)
    )
    for _, key in due:
        assert key is not None  # selected for having one
        _erasures.add(db, (key, settings))
    return len(due)


def delete_old_calls(db: Session, now: datetime, settings: Settings) -> int:
    """Call-log rows past the window go whole; a message still on its way home waits for the
    fetch job (which deletes it at the provider) before its row can go."""
    before = now - timedelta(days=settings.hotline_call_log_days)
    settled = HotlineCall.recording_state.is_(None) | HotlineCall.recording_state.in_(
        ["deleted", ERASED]
    )
    return rowcount(
        db,
        delete(HotlineCall)
        .where(HotlineCall.started_at < before, HotlineCall.recording_key.is_(None), settled)
        .execution_options(synchronize_session=False),
    )


def _erase_after_commit(_: Session, erasures: list[Erasure]) -> None:
    for key, settings in erasures:
        try:
            storage_for(settings).delete(key)
        except OSError as exc:  # the row no longer names it: say so loudly for an operator
            log.error("hotline message %s could not be erased from storage: %s", key, exc)


_erasures = AtTransactionEnd[tuple[str, Settings]](
    "hotline_erasures", on_commit=_erase_after_commit
)
