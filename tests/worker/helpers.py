"""Helpers for worker tests: a dispatcher's request made directly through the service."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from vecinos.accounts.models import Member
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.dispatch import requests
from vecinos.dispatch.models import DispatchRequest
from vecinos.dispatch.ranking import Needs
from vecinos.identity import Principal
from vecinos.incidents.models import TimelineEvent


def ask_for_verification(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, incident_id: int
) -> int:
    with transaction(sessions) as db:
        dario = db.get(Member, cast.dario.member_id)
        assert dario is not None
        principal = Principal.of(dario, via="session", totp_passed=True)
        request = requests.request_verification(
            db,
            principal,
            incident_id,
            Needs(),
            organization_id=None,
            now=cast.clock.now(),
            settings=settings,
        )
        return request.id


def request_row(db: Session, request_id: int) -> DispatchRequest:
    db.expire_all()
    request = db.get(DispatchRequest, request_id)
    assert request is not None
    return request


def count_events(db: Session, incident_id: int, kind: str) -> int:
    query = (
        select(func.count())
        .select_from(TimelineEvent)
        .where(TimelineEvent.incident_id == incident_id, TimelineEvent.kind == kind)
    )
    return db.scalar(query) or 0
