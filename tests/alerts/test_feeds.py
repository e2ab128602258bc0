"""The public read side: active alerts only, coarse places only, unconfirmed labelled."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import incident, publish_now
from tests.browser.fixtures import LiveServer
from tests.cast import Cast
from tests.deploy.processes import SseReader
from tests.dispatch.factories import SCENE
from vecinos.alerts.models import AlertKind
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.incidents.models import Incident, IncidentState

COARSE = (34.05123, -118.24567)  # what clustering stores as the public point
ATOM = "{http://www.w3.org/2005/Atom}"


def coarse_incident(
    sessions: sessionmaker[Session], cast: Cast, state: IncidentState = IncidentState.CONFIRMED
) -> int:
    incident_id = incident(sessions, cast, state)
    with transaction(sessions) as db:
        found = db.get(Incident, incident_id)
        assert found is not None
        found.public_lat, found.public_lon = COARSE
    return incident_id


def test_the_json_feed_shows_active_alerts_with_coarse_places_only(
    client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
) -> None:
    publish_now(sessions, settings, clock, coarse_incident(sessions, cast))
    feed = client.get("/api/alerts/feed.json?lang=es")
    assert feed.status_code == 200
    (alert,) = feed.json()["alerts"]
    assert alert["kind"] == "confirmed" and alert["unconfirmed"] is False
    assert alert["language"] == "es" and "CONFIRMADO" in alert["text"]
    assert alert["location"] == {"lat": COARSE[0], "lon": COARSE[1], "precision": "coarse"}
    assert alert["place"] and alert["place"] in alert["text"]  # a name, never coordinates
    assert alert["links"] == ["https://vecinos.test/rights/es"] and alert["status"] == "current"
    raw = feed.text
    assert str(SCENE[0]) not in raw and str(SCENE[1]) not in raw  # never the exact place
    assert "published_by" not in raw and "recipient" not in raw and "dario" not in raw

    clock.advance(minutes=settings.alert_expiry_minutes)
    assert client.get("/api/alerts/feed.json").json()["alerts"] == []  # expired


def test_unconfirmed_is_labelled_and_a_rumour_control_replaces_it(
    client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
) -> None:
    incident_id = coarse_incident(sessions, cast, IncidentState.VERIFYING)
    publish_now(sessions, settings, clock, incident_id, AlertKind.UNCONFIRMED, cast.dario.member_id)
    (notice,) = client.get("/api/alerts/feed.json?lang=en").json()["alerts"]
    assert notice["unconfirmed"] is True and notice["label"].startswith("unconfirmed")
    assert "UNCONFIRMED, being checked:" in notice["text"]

    with transaction(sessions) as db:
        found = db.get(Incident, incident_id)
        assert found is not None
        found.state, found.verdict = IncidentState.UNFOUNDED, "unfounded"
    clock.advance(minutes=5)
    rumour = publish_now(sessions, settings, clock, incident_id, AlertKind.RUMOUR_CONTROL)
    shown = client.get("/api/alerts/feed.json?lang=en").json()["alerts"]
    assert [(a["kind"], a["status"]) for a in shown] == [
        ("rumour_control", "current"),
        ("unconfirmed", "cancelled"),
    ]
    assert shown[1]["replaced_by"] == rumour and shown[0]["supersedes"] == [notice["id"]]
    assert shown[0]["thread"] == shown[1]["thread"] == notice["id"]


def test_the_confirmed_alert_replaces_the_unconfirmed_notice(
    client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
) -> None:
    incident_id = coarse_incident(sessions, cast, IncidentState.VERIFYING)
    publish_now(sessions, settings, clock, incident_id, AlertKind.UNCONFIRMED, cast.dario.member_id)
    with transaction(sessions) as db:
        found = db.get(Incident, incident_id)
        assert found is not None
        found.state, found.verdict = IncidentState.CONFIRMED, "confirmed"
    publish_now(sessions, settings, clock, incident_id)
    shown = client.get("/api/alerts/feed.json").json()["alerts"]
    assert [(a["kind"], a["status"]) for a in shown] == [
        ("confirmed", "current"),
        ("unconfirmed", "superseded"),
    ]


def test_atom_and_geojson_carry_the_same_alerts(
    client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
) -> None:
    first = publish_now(sessions, settings, clock, coarse_incident(sessions, cast))
    clock.advance(minutes=1)
    verifying = coarse_incident(sessions, cast, IncidentState.VERIFYING)
    second = publish_now(
        sessions, settings, clock, verifying, AlertKind.UNCONFIRMED, cast.dario.member_id
    )

    atom = client.get("/api/alerts/feed.atom?lang=en")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(atom.content)  # noqa: S314 - our own feed, in a test
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id", "").rsplit("/", 1)[1] for e in entries] == [
        str(second),
        str(first),
    ]
    assert entries[0].findtext(f"{ATOM}title", "").startswith("[unconfirmed: being checked]")
    statuses = [c.get("term") for c in entries[0].findall(f"{ATOM}category")]
    assert statuses == ["unconfirmed", "current"]
    (rights,) = entries[1].findall(f"{ATOM}link")
    assert rights.get("href") == "https://vecinos.test/rights/en"

    geo = client.get("/api/alerts/feed.geojson?lang=es")
    assert geo.headers["content-type"].startswith("application/geo+json")
    features = geo.json()["features"]
    assert [f["properties"]["id"] for f in features] == [second, first]
    assert features[1]["geometry"] == {"type": "Point", "coordinates": [COARSE[1], COARSE[0]]}


def test_the_stream_carries_alerts_as_they_are_published(
    app: FastAPI,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
) -> None:
    incident_id = coarse_incident(sessions, cast)
    with (
        LiveServer(app) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
        SseReader(client, "/api/alerts/stream?lang=es") as stream,  # listening: `ready` came
    ):
        published = publish_now(sessions, settings, clock, incident_id)
        event = stream.wait_for(lambda e: e.event == "alert", "the published alert").json()
    assert stream.events[0].event == "ready"  # listening before anything was published
    assert event["id"] == published and "CONFIRMADO" in event["text"]
