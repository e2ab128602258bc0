"""A day in the demo coalition, played through the real routes: the seeded coalition, then a
resident's report, a verification, a volunteer's finding with a photo, a published alert, a
subscriber confirmed through the demo inbox, a legal hold and a false alarm. Pages then have
every kind of thing a person can read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.factories import body as subscription
from tests.demo_seed import seeded_demo
from tests.evidence.helpers import photo_with_gps, upload
from tests.reports.factories import device
from vecinos.accounts import totp
from vecinos.alerts.inbox import threads
from vecinos.alerts.sending import DeliveryEngine
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.demo.seed import DEMO_PASSWORD, DemoLogin
from vecinos.worker.runner import Worker

SCENE = (34.0433, -118.2096)  # Boyle Heights, on a public street corner
FALSE_ALARM = (34.0290, -118.1990)
ORG = "boyle-heights"


def worker_round(sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock) -> None:
    """What `vecinos demo` runs beside the pages: the periodic jobs, then the delivery engine
    sends what waits in the outbox."""
    Worker(sessions, settings, clock).tick()
    DeliveryEngine(sessions, settings, clock).drain_now()


@dataclass
class DemoDay:
    clock: FrozenClock
    logins: dict[str, DemoLogin]
    incident: int = 0
    false_alarm: int = 0
    organization: int = 0
    status_url: str = ""
    extra: dict[str, int] = field(default_factory=dict)

    def email(self, role: str) -> str:
        return f"{role}@{ORG}.demo.vecinos.example"

    def code(self, email: str) -> str:
        """A fresh two-factor code: each is accepted once, so time moves on after it."""
        secret = self.logins[email].totp_secret
        assert secret is not None
        found = totp.code_at(secret, self.clock.now())
        self.clock.advance(seconds=31)
        return found

    def responder(self) -> str:
        return next(
            e
            for e, login in self.logins.items()
            if login.totp_secret is None and login.organization.startswith("Boyle")
        )


def signed_in(app: FastAPI, day: DemoDay, email: str) -> TestClient:
    client = TestClient(app, base_url="https://testserver")
    answer = client.post("/api/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    if day.logins[email].totp_secret:
        checked = client.post("/api/auth/totp", json={"code": day.code(email)})
        assert checked.status_code == 200, checked.text
    return client


def play_demo_day(
    app: FastAPI, sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock
) -> DemoDay:
    seeded = seeded_demo(sessions, settings, clock, hotline=False)
    day = DemoDay(clock, {login.email: login for login in seeded.logins})
    public = TestClient(app, base_url="https://testserver")
    report = {
        "activity": "vehicles_staged",
        "agency": "ice",
        "agents": 4,
        "vehicles": 2,
        "location": {"lat": SCENE[0], "lon": SCENE[1], "cross_streets": "1st St & Boyle Ave"},
        "device_token": device(),
    }
    receipt = public.post("/api/reports", json=report)
    assert receipt.status_code == 201, receipt.text
    day.status_url = receipt.json()["status_url"]
    second = {
        **report,
        "location": {"lat": FALSE_ALARM[0], "lon": FALSE_ALARM[1]},
        "device_token": device(),
    }
    false_alarm = public.post("/api/reports", json=second)
    assert false_alarm.status_code == 201, false_alarm.text

    dispatcher = signed_in(app, day, day.email("dispatcher"))
    incidents = dispatcher.get("/api/incidents?state=reported").json()
    by_place = {round(i["lat"], 4): i for i in incidents}
    incident, alarm = by_place[round(SCENE[0], 4)], by_place[round(FALSE_ALARM[0], 4)]
    day.incident, day.false_alarm = incident["id"], alarm["id"]
    day.organization = incident["organization_id"]

    volunteer = signed_in(app, day, day.responder())
    near = {"lat": SCENE[0] + 0.004, "lon": SCENE[1]}
    assert (
        volunteer.post(f"/api/organizations/{day.organization}/shifts", json=near).status_code
        == 201
    )
    assert dispatcher.post(f"/api/incidents/{day.incident}/dispatch", json={}).status_code == 201
    (offer,) = volunteer.get("/api/offers").json()
    for step in ("accept", "on-scene"):
        assert volunteer.post(f"/api/offers/{offer['id']}/{step}").status_code == 200
    assert upload(volunteer, day.incident, photo_with_gps()).status_code == 201
    finding = {"finding": "confirmed", "note": "Dos camionetas negras frente al mercado"}
    assert volunteer.post(f"/api/offers/{offer['id']}/finding", json=finding).status_code == 200

    resident = public.post("/api/alerts/subscriptions", json=subscription(contact="213-555-0199"))
    assert resident.status_code == 201, resident.text
    clock.advance(seconds=30)
    worker_round(sessions, settings, clock)
    with transaction(sessions) as db:
        text = threads(db, settings)[0].messages[0].text
    code = re.search(r"\b(\d{6})\b", text)
    assert code is not None
    confirmed = public.post(
        "/api/alerts/subscriptions/confirm",
        json={"handle": resident.json()["handle"], "code": code.group(1)},
    )
    assert confirmed.status_code == 200, confirmed.text

    published = dispatcher.post(
        f"/api/incidents/{day.incident}/alerts", json={"kind": "confirmed", "texts": {}}
    )
    assert published.status_code in (200, 201), published.text
    clock.advance(seconds=30)
    worker_round(sessions, settings, clock)

    assert dispatcher.post(f"/api/incidents/{day.false_alarm}/dispatch", json={}).status_code in (
        201,
        409,
    )
    moved = dispatcher.post(
        f"/api/incidents/{day.false_alarm}/transition", json={"to": "unfounded"}
    )
    assert moved.status_code == 200, moved.text

    legal = signed_in(app, day, day.email("legal"))
    held = legal.put(f"/api/incidents/{day.incident}/hold", json={"reason": "demanda colectiva"})
    assert held.status_code == 200, held.text
    for client in (public, dispatcher, volunteer, legal):
        client.close()
    return day
