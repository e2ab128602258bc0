"""An incident played through the real services with exact times, for insights tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.reports.factories import EASTSIDE_PIN, submit
from vecinos.accounts.models import Member
from vecinos.alerts.models import AlertKind
from vecinos.alerts.publishing import NO_EDITS, publish
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.dispatch import offers, shifts
from vecinos.dispatch.models import Finding, Offer, OfferState
from vecinos.dispatch.ranking import Needs
from vecinos.dispatch.requests import request_verification
from vecinos.identity import Principal
from vecinos.incidents.models import Incident
from vecinos.incidents.service import expire_stale_incidents


@dataclass(frozen=True)
class Plan:
    """Minutes after the first report; None stops the story there."""

    request: float | None = 2
    scene: float | None = 10  # after the first report
    confirm: float | None = 15
    alert: float | None = 16
    pin: tuple[float, float] = EASTSIDE_PIN


def principal(db: Session, member_id: int) -> Principal:
    member = db.get(Member, member_id)
    assert member is not None
    return Principal.of(member, via="token", totp_passed=True)


def play(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast, at: datetime, plan: Plan
) -> int:
    """Report at `at`; Dario asks, Rosa goes, confirms; Dario publishes. Returns the incident."""

    def minutes(m: float) -> datetime:
        return at + timedelta(minutes=m)

    with transaction(sessions) as db:
        incident_id = submit(db, settings, at, plan.pin).incident_id
        if plan.request is None:
            expire_stale_incidents(db, minutes(settings.incident_expiry_minutes + 1), settings)
            return incident_id
        rosa = cast.rosa.member_id
        shift = shifts.open_shift_of(db, rosa) or shifts.check_in(
            db, rosa, cast.eastside, *plan.pin, shifts.Capabilities(), now=at
        )
        shifts.move(db, shift, *plan.pin, now=minutes(plan.request))
        dario = principal(db, cast.dario.member_id)
        request_verification(
            db,
            dario,
            incident_id,
            Needs(),
            organization_id=None,
            now=minutes(plan.request),
            settings=settings,
        )
        offer = db.scalar(select(Offer).where(Offer.incident_id == incident_id))
        assert offer is not None
        offers.accept(db, rosa, offer.id, now=minutes(plan.request))
        if plan.scene is None:
            return incident_id
        offers.advance(db, rosa, offer.id, OfferState.ON_SCENE, now=minutes(plan.scene))
        if plan.confirm is None:
            return incident_id
        offers.file_finding(db, rosa, offer.id, Finding.CONFIRMED, None, now=minutes(plan.confirm))
        if plan.alert is not None:
            incident = db.get(Incident, incident_id)
            assert incident is not None
            publish(
                db,
                incident,
                AlertKind.CONFIRMED,
                NO_EDITS,
                now=minutes(plan.alert),
                settings=settings,
                actor_id=dario.member_id,
            )
        shifts.check_out(db, shift, now=minutes(plan.alert or plan.confirm))
        return incident_id
