"""A full line says so (and how to text instead); the hotline forgets on schedule: messages
erased from storage after their window, call-log rows deleted after theirs, by the worker's
job under the controllable clock."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.hotline.conftest import Webhook, says
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.evidence.storage import storage_for
from vecinos.hotline import retention
from vecinos.hotline.call_models import HotlineBan, HotlineCall
from vecinos.worker.registry import BUILTIN_JOBS


def test_a_saturated_line_says_so_in_spanish_and_english_and_logs_nothing(
    hook: Webhook, db: Session, settings: Settings
) -> None:
    full = settings.hotline_max_open_calls
    for n in range(full):
        _, menu = hook("incoming", sid=f"CA{n:032d}", sender=f"+1323555{n:04d}")
        assert menu.find("Gather") is not None
    _, busy = hook("incoming", sid="CA" + "s" * 32, sender="+13235559999")
    lines = says(busy)
    assert lines[0][0] == "es-MX" and "palabra REPORTE" in lines[0][1]
    assert lines[1][0] == "en-US" and "the word REPORT" in lines[1][1]
    assert busy.find("Gather") is None and busy.find("Hangup") is not None
    db.rollback()
    assert len(db.scalars(select(HotlineCall)).all()) == full
    hook("status", sid=f"CA{0:032d}", CallStatus="completed")  # one call ends: room again
    _, menu = hook("incoming", sid="CA" + "t" * 32, sender="+13235559998")
    assert menu.find("Gather") is not None


def add_call(db: Session, sid: str, *, now: FrozenClock, key: str | None, state: str | None) -> int:
    call = HotlineCall(
        call_sid=sid,
        caller_index="i" * 64,
        language="es",
        status="message" if key else "ended",
        started_at=now.now(),
        ended_at=now.now(),
        recording_sid="RE" + "1" * 32 if state else None,
        recording_key=key,
        recording_state=state,
    )
    db.add(call)
    db.flush()
    return call.id


def test_messages_are_erased_and_the_call_log_deleted_after_their_windows(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock
) -> None:
    store = storage_for(settings)
    store.put_bytes("hotline/old.wav", b"RIFF-old")
    with transaction(sessions) as db:
        message = add_call(db, "CA" + "1" * 32, now=clock, key="hotline/old.wav", state="deleted")
        plain = add_call(db, "CA" + "2" * 32, now=clock, key=None, state=None)
        on_its_way = add_call(db, "CA" + "3" * 32, now=clock, key=None, state="at_provider")
        db.add(HotlineBan(caller_index="i" * 64, banned_at=clock.now()))
    clock.advance(days=settings.hotline_message_days - 1)
    store.put_bytes("hotline/new.wav", b"RIFF-new")
    with transaction(sessions) as db:
        fresh = add_call(db, "CA" + "4" * 32, now=clock, key="hotline/new.wav", state="deleted")
        assert retention.purge(db, clock.now(), settings) == 0  # nothing is old enough yet

    clock.advance(days=1, seconds=1)
    with transaction(sessions) as db:
        assert retention.purge(db, clock.now(), settings) == 1
    assert not store.exists("hotline/old.wav") and store.exists("hotline/new.wav")
    with transaction(sessions) as db:
        old = db.get(HotlineCall, message)
        assert old is not None and (old.recording_key, old.recording_state) == (None, "erased")

    clock.advance(days=settings.hotline_call_log_days - settings.hotline_message_days)
    with transaction(sessions) as db:
        # The newer message's audio goes (its row is younger than the log's window); the old
        # message's row and the plain call go; the one still at the provider waits for the
        # fetch job to bring it home and delete it there.
        assert retention.purge(db, clock.now(), settings) == 1 + 2
        left = set(db.scalars(select(HotlineCall.id)))
        assert left == {on_its_way, fresh} and plain not in left
        assert db.scalars(select(HotlineBan)).one()  # a ban outlives the log
    assert not store.exists("hotline/new.wav")
    assert "vecinos.hotline.retention:purge" in {job.target for job in BUILTIN_JOBS}
