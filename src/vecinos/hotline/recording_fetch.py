"""The fetching half of `recordings`: each claimed message is fetched from the provider,
stored with its SHA-256, then deleted at the provider; each step recorded in a short
transaction of its own, with no transaction open while a request is on the wire.
"""

from __future__ import annotations

import hashlib
import logging

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.evidence.storage import storage_for
from vecinos.hotline.call_models import HotlineCall
from vecinos.hotline.recordings import AT_PROVIDER, DELETED, STORED, Round
from vecinos.hotline.writeups import changed

log = logging.getLogger("vecinos.hotline")


def bring_home(db: Session, round_: Round) -> int:
    """Fetch, store and delete at the provider each claimed message; how many are done."""
    settings = round_.settings
    calls = db.execute(
        select(HotlineCall.id, HotlineCall.recording_sid, HotlineCall.recording_state).where(
            HotlineCall.id.in_(round_.call_ids)
        )
    ).all()
    db.rollback()  # no transaction stays open while a request is on the wire
    done = 0
    auth = (settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value())
    with httpx.Client(timeout=settings.outbound_timeout_seconds, auth=auth) as client:
        for call_id, sid, state in calls:
            assert sid is not None  # only calls with a message have a recording state
            try:
                if state == AT_PROVIDER:
                    _store(db, client, call_id, sid, settings)
                _delete_at_provider(client, sid, settings)
            except httpx.HTTPError as exc:
                log.warning("hotline message of call %s not brought home yet: %s", call_id, exc)
                continue
            _mark(db, call_id, recording_state=DELETED, recording_next_at=None)
            done += 1
    return done


def _resource(settings: Settings, sid: str, suffix: str) -> str:
    root = settings.twilio_base_url.rstrip("/")
    return f"{root}/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{sid}{suffix}"


def _store(db: Session, client: httpx.Client, call_id: int, sid: str, settings: Settings) -> None:
    answer = client.get(_resource(settings, sid, ".wav"))
    answer.raise_for_status()
    key = f"hotline/{call_id}-{sid}.wav"
    storage_for(settings).put_bytes(key, answer.content)
    digest = hashlib.sha256(answer.content).hexdigest()
    _mark(db, call_id, recording_state=STORED, recording_key=key, recording_sha256=digest)


def _delete_at_provider(client: httpx.Client, sid: str, settings: Settings) -> None:
    answer = client.delete(_resource(settings, sid, ".json"))
    if answer.status_code != httpx.codes.NOT_FOUND:  # already gone is as good as deleted
        answer.raise_for_status()


def _mark(db: Session, call_id: int, **values: object) -> None:
    db.execute(
        update(HotlineCall)
        .where(HotlineCall.id == call_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    changed(db, call_id)
    db.commit()
