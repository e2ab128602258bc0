"""Small helpers for report and incident tests: bodies, zones, counts."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from vecinos import keyring
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.geo.zones import create_zone
from vecinos.incidents.models import Incident, TimelineEvent
from vecinos.reports import intake
from vecinos.reports.intake import Sender
from vecinos.reports.intake import submit as intake_submit
from vecinos.reports.models import Report, Source
from vecinos.reports.schemas import PublicReportIn
from vecinos.reports.sources import source_hash

EASTSIDE_PIN = (34.05, -118.25)  # inside Eastside's zone
NEAR_EASTSIDE = (34.0502, -118.2502)  # 30 m from EASTSIDE_PIN: the same incident
WESTSIDE_PIN = (34.05, -118.45)  # inside Westside's zone
NOBODYS_PIN = (34.50, -118.00)  # in the service area, in nobody's zone
OUTSIDE_PIN = (40.71, -74.00)  # far outside the service area
T = TypeVar("T")


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def add_zones(sessions: sessionmaker[Session], cast: Cast) -> tuple[int, int]:
    """Eastside covers downtown, Westside the coast; returns their zone ids."""
    now = cast.clock.now()
    with transaction(sessions) as db:
        east = create_zone(
            db, cast.eastside, "Downtown", box(-118.30, 34.0, -118.20, 34.1), now=now
        )
        west = create_zone(db, cast.westside, "Coast", box(-118.50, 34.0, -118.40, 34.1), now=now)
        return east.id, west.id


def device() -> str:
    return "device-" + secrets.token_hex(12)


def body(
    pin: tuple[float, float] | None = EASTSIDE_PIN, *, device_token: str | None = None, **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "activity": "vehicles_staged",
        "agency": "ice",
        "agents": 4,
        "vehicles": 2,
        "equipment": [{"type": "suv", "colour": "black"}],
        "device_token": device_token or device(),
    }
    if pin is not None:
        data["location"] = {"lat": pin[0], "lon": pin[1]}
    data.update(extra)
    return data


def draft(
    settings: Settings,
    now: datetime,
    pin: tuple[float, float] | None = EASTSIDE_PIN,
    *,
    key: str | None = None,
    entered_by_id: int | None = None,
    source: Source = Source.WEB,
    **extra: Any,
) -> intake.Draft:
    """A report checked and made ready off the database, as the intake route hands it on."""
    data = PublicReportIn.model_validate(body(pin, **extra))
    sender = Sender(
        source, source_hash(settings, data.device_token, now), entered_by_id=entered_by_id
    )
    contacts = keyring.report_contacts(settings)
    return intake.prepare(
        data, sender, now=now, settings=settings, contacts=contacts, idempotency_key=key
    )


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: the browser tests' Playwright (sync API) keeps an
    event loop running in the main thread for the whole session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def hotline_body(pin: tuple[float, float] = EASTSIDE_PIN, **extra: Any) -> dict[str, Any]:
    data = body(pin, **extra)
    del data["device_token"]
    return data


def counts(db: Session) -> tuple[int, int, int]:
    """(reports, incidents, timeline events) in the database right now."""
    db.expire_all()
    return (
        db.scalar(select(func.count(Report.id))) or 0,
        db.scalar(select(func.count(Incident.id))) or 0,
        db.scalar(select(func.count(TimelineEvent.id))) or 0,
    )


def submit(
    db: Session,
    settings: Settings,
    at: datetime,
    pin: tuple[float, float] = EASTSIDE_PIN,
    *,
    device_token: str | None = None,
    observed_at: datetime | None = None,
    contact: str | None = None,
) -> Report:
    """A report through the real intake service (no HTTP), for service-level tests."""
    data = PublicReportIn.model_validate(
        body(pin, device_token=device_token, observed_at=observed_at, callback_contact=contact)
    )
    sender = Sender(Source.WEB, source_hash(settings, data.device_token, at))
    contacts = keyring.report_contacts(settings)
    report, _ = intake_submit(db, data, sender, now=at, settings=settings, contacts=contacts)
    return report
