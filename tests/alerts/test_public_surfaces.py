"""Done when, issue 12: no free text from a public report reaches any public surface, the
automatic alert after the hold included, and every alert names its place by name.

A resident's report carries a description and cross streets full of things nobody may
publish; volunteers confirm it; nobody publishes by hand, so the worker does after the hold.
Then every surface a member of the public can reach is read: the texts, e-mails and push
messages that went out, the alerts page, the JSON, Atom, GeoJSON and CAP feeds, the live
stream, SMS keyword replies, the report's status page, the transparency page.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.servers import TWILIO_TOKEN, HttpStandIn, Mailbox, PushInbox
from tests.alerts.test_inbound_sms import reply_of, text
from tests.alerts.test_publish_e2e import (  # the real channels' local servers
    SCENE,
    push,
    residents,
    run_worker,
    settings,
    smtp,
    twilio,
    verify_on_scene,
)
from tests.browser.fixtures import LiveServer
from tests.cast import Cast
from tests.dispatch.factories import client_for, on_shift
from tests.geo.factories import add_landmark
from tests.reports.factories import add_zones
from tests.reports.factories import body as report_body
from vecinos.alerts.outbox_models import Alert
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction

__all__ = ["push", "settings", "smtp", "twilio"]  # fixtures, used by name

TYPED = {
    "description": "Xochiquetzal saw Sra. Perez at 1187 Brooklyn Ave, plate 7ABC123, 323 555 0142",
    "cross_streets": "Quetzalcoatl Ave & Tlaloc St",
}
NEVER = ["Xochiquetzal", "Perez", "1187", "7ABC123", "555 0142", "Quetzalcoatl", "Tlaloc"]
PERSHING_SQUARE = (34.0485, -118.2529)  # a public square 400 m from the scene
COORDINATES = re.compile(r"-?\d{2,3}\.\d{2,}\s*,\s*-?\d{2,3}\.\d{2,}")


def listen_while(live_server: LiveServer, publish: Callable[[], None]) -> str:
    """The live stream as a reader gets it: connected (`ready`) before `publish` runs, read
    until the alert arrives."""
    seen: list[str] = []
    url = f"{live_server.url}/api/alerts/stream?lang=es"
    with httpx.stream("GET", url, timeout=30) as stream:
        lines = stream.iter_lines()
        for line in lines:
            if line == "event: ready":
                break
        worker = threading.Thread(target=publish)
        worker.start()
        for line in lines:
            seen.append(line)
            if line.startswith("data:") and seen[-2:-1] == ["event: alert"]:
                break
    worker.join()
    return "\n".join(seen)


def clean(surface: str, content: str) -> None:
    for word in NEVER:
        assert word not in content, (surface, word)


def test_no_typed_text_reaches_any_public_surface_and_places_have_names(
    app: FastAPI,
    client: TestClient,
    live_server: LiveServer,
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    twilio: HttpStandIn,
    smtp: tuple[Mailbox, int, Path],
    push: tuple[PushInbox, HttpStandIn],
) -> None:
    inbox, _ = push
    add_zones(sessions, cast)  # Eastside's "Downtown" holds the scene
    with transaction(sessions) as writer:
        add_landmark(writer, cast.eastside, "Pershing Square", PERSHING_SQUARE, settings, cast)
    residents(client, db, settings, inbox)  # SMS, e-mail and push, English and Spanish
    on_shift(sessions, cast, cast.rosa, (SCENE[0] + 0.002, SCENE[1]))
    typed = report_body(SCENE)
    typed["description"] = TYPED["description"]
    typed["location"]["cross_streets"] = TYPED["cross_streets"]
    made = client.post("/api/reports", json=typed)
    assert made.status_code == 201, made.text
    status_url = made.json()["status_url"].removeprefix("https://vecinos.test")
    with client_for(app, cast, cast.dario) as dario:
        found = dario.get("/api/incidents?limit=10").json()
        (incident,) = found
        assert incident["cross_streets"] == TYPED["cross_streets"]  # staff see it; nobody else
        verify_on_scene(app, cast, dario, incident["id"])

    # Nobody publishes by hand: the worker does, after the hold, while a reader listens live.
    streamed = listen_while(live_server, lambda: run_worker(sessions, settings, clock))

    db.rollback()
    (alert,) = db.scalars(select(Alert)).all()
    assert alert.automatic and alert.kind == "confirmed"
    for language, content in {**alert.texts, **alert.subjects}.items():
        clean(f"alert text {language}", content)
        assert "900" in content and not COORDINATES.search(content), content
    assert "Pershing Square, Downtown (900" in alert.texts["es"]
    assert "Pershing Square, Downtown (900" in alert.texts["en"]

    sms = [parse_qs(seen.body.decode())["Body"][0] for seen in twilio.seen]
    assert len(sms) == 2
    mails = [
        email.message_from_bytes(m.content, policy=email.policy.default)  # type: ignore[arg-type]
        for m in smtp[0].messages
    ]
    surfaces = {
        "sms": "\n".join(sms),
        "e-mail": "\n".join(f"{m['Subject']}\n{m.get_content()}" for m in mails),
        "push": json.dumps(inbox.received, ensure_ascii=False),
        "live stream": streamed,
    }
    assert "event: alert" in streamed
    for path in (
        "/alerts?lang=es",
        "/alerts?lang=en",
        "/api/alerts/feed.json",
        "/api/alerts/feed.atom",
        "/api/alerts/feed.geojson",
        "/api/alerts/feed.cap",
        f"/api/alerts/{alert.id}.cap",
        status_url,
        "/transparency",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text)
        surfaces[path] = answer.text
    for keyword in ("HELP", "RIGHTS", "AYUDA", "DERECHOS"):
        code, twiml = text(client, keyword, token=TWILIO_TOKEN)
        assert code == 200
        surfaces[f"sms reply {keyword}"] = reply_of(twiml)
    for surface, content in surfaces.items():
        clean(surface, content)
    assert "Pershing Square" in surfaces["sms"] and "Pershing Square" in surfaces["/alerts?lang=es"]
