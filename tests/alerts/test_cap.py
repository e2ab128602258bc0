"""The CAP 1.2 feed passes a schema written from the standard (tests/alerts/data), not from
the code that writes it: every alert, every language, its value sets, its references."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import incident, north, publish_now, subscriber
from tests.alerts.test_corrections import move
from tests.cast import Cast
from vecinos.alerts.models import AlertKind
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.incidents.models import IncidentState

SCHEMA = xmlschema.XMLSchema(Path(__file__).parent / "data" / "cap-v1.2.xsd")
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"


def parse(raw: bytes) -> ET.Element:
    return ET.fromstring(raw)  # noqa: S314 - our own feed, in a test


def story(
    sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock, cast: Cast
) -> dict[str, int]:
    """A notice that was confirmed and updated; a confirmed alert that ended; languages of
    three subscribers (English, Spanish, Korean)."""
    for language in ("en", "es", "ko"):
        subscriber(sessions, settings, clock, north(300), language=language)
    dario = cast.dario.member_id
    checked = incident(sessions, cast, IncidentState.VERIFYING)
    ids = {"notice": publish_now(sessions, settings, clock, checked, AlertKind.UNCONFIRMED, dario)}
    move(sessions, checked, IncidentState.CONFIRMED)
    clock.advance(minutes=1)
    ids["confirmed"] = publish_now(sessions, settings, clock, checked)
    clock.advance(minutes=1)
    ids["update"] = publish_now(sessions, settings, clock, checked, AlertKind.UPDATE, dario)
    ended = incident(sessions, cast)
    clock.advance(minutes=1)
    ids["other"] = publish_now(sessions, settings, clock, ended)
    move(sessions, ended, IncidentState.ENDED)
    clock.advance(minutes=1)
    ids["all_clear"] = publish_now(sessions, settings, clock, ended, AlertKind.ALL_CLEAR)
    return ids


def test_every_alert_in_the_feed_and_on_its_own_passes_the_schema(
    client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
) -> None:
    ids = story(sessions, settings, clock, cast)
    answer = client.get("/api/alerts/feed.cap")
    assert answer.status_code == 200 and "atom" in answer.headers["content-type"]
    entries = parse(answer.content).findall(f"{ATOM}entry")
    assert len(entries) == 5
    alerts = {}
    for entry in entries:
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "application/cap+xml"
        (alert,) = list(content)
        SCHEMA.validate(ET.tostring(alert, encoding="unicode"))  # raises on any violation
        alerts[alert.findtext(f"{CAP}identifier")] = alert
    for alert_id in ids.values():
        alone = client.get(f"/api/alerts/{alert_id}.cap")
        assert alone.headers["content-type"].startswith("application/cap+xml")
        SCHEMA.validate(alone.text)
    assert set(alerts) == {f"vecinos.test-alert-{i}" for i in ids.values()}


def test_kinds_map_to_cap_values_and_follow_ups_reference_what_they_replace(
    client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
) -> None:
    ids = story(sessions, settings, clock, cast)

    def alert(name: str) -> ET.Element:
        return parse(client.get(f"/api/alerts/{ids[name]}.cap").content)

    def values(name: str) -> tuple[str | None, ...]:
        found = alert(name)
        info = found.find(f"{CAP}info")
        assert info is not None
        certainty, urgency = info.findtext(f"{CAP}certainty"), info.findtext(f"{CAP}urgency")
        return found.findtext(f"{CAP}msgType"), certainty, urgency

    assert values("notice") == ("Alert", "Possible", "Expected")
    assert values("confirmed") == ("Update", "Observed", "Immediate")
    assert values("update") == ("Update", "Observed", "Immediate")
    assert values("other") == ("Alert", "Observed", "Immediate")
    assert values("all_clear") == ("Cancel", "Observed", "Past")
    references = alert("update").findtext(f"{CAP}references", "").split(" ")
    assert [r.split(",")[1] for r in references] == [
        f"vecinos.test-alert-{ids['notice']}",
        f"vecinos.test-alert-{ids['confirmed']}",
    ]
    assert all(r.startswith("alerts@vecinos.test,") for r in references)
    cancelled = alert("all_clear").findtext(f"{CAP}references", "")
    assert cancelled.split(",")[1] == f"vecinos.test-alert-{ids['other']}"
    assert alert("notice").find(f"{CAP}references") is None


def test_one_info_per_language_with_the_named_place_and_the_coarse_circle(
    client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
) -> None:
    ids = story(sessions, settings, clock, cast)
    found = parse(client.get(f"/api/alerts/{ids['confirmed']}.cap").content)
    infos = found.findall(f"{CAP}info")
    assert [i.findtext(f"{CAP}language") for i in infos] == ["en", "es", "ko"]
    korean = infos[2]
    assert "확인" in korean.findtext(f"{CAP}description", "")
    assert korean.findtext(f"{CAP}web") == "https://vecinos.test/rights/ko"
    area = infos[0].find(f"{CAP}area")
    assert area is not None
    described = area.findtext(f"{CAP}areaDesc", "")
    assert described.startswith("Los Angeles (") and described.endswith(")")
    lat_lon, radius = area.findtext(f"{CAP}circle", "").split(" ")
    assert radius == "2.0" and lat_lon.count(",") == 1


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("<cap:certainty>Observed</cap:certainty>", "<cap:certainty>Confirmed</cap:certainty>"),
        ("+00:00</cap:sent>", "Z</cap:sent>"),
        ("<cap:msgType>Update</cap:msgType>", "<cap:msgType>Correction</cap:msgType>"),
        ("<cap:scope>Public</cap:scope>", ""),
    ],
)
def test_the_schema_refuses_what_the_standard_refuses(
    client: TestClient,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    change: str,
    problem: str,
) -> None:
    ids = story(sessions, settings, clock, cast)
    good = client.get(f"/api/alerts/{ids['confirmed']}.cap").text
    assert change in good
    assert SCHEMA.is_valid(good)
    assert not SCHEMA.is_valid(good.replace(change, problem, 1))


def test_an_unknown_alert_is_a_clear_404(client: TestClient) -> None:
    answer = client.get("/api/alerts/99999.cap")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "alert_not_found"
