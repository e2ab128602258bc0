"""Dashboards, charts and exports: who may see them, and that they say what happened."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.insights.factories import Plan, play
from tests.reports.factories import WESTSIDE_PIN, add_zones
from vecinos.config import Settings

EVERYONE = ("elena", "dario", "rosa", "lucas", "wanda", "ada", "nadia")


def org_paths(org: int) -> list[str]:
    base = f"/organizations/{org}/insights"
    return [
        base,
        f"{base}/charts/coverage.svg",
        f"{base}/charts/stage-times.csv",
        f"{base}/incidents.csv",
        f"{base}/incidents.geojson",
    ]


COALITION_PATHS = (
    "/coalition/insights",
    "/coalition/insights/charts/outcomes.svg",
    "/coalition/insights/charts/reports-by-day.csv",
)


@pytest.mark.parametrize("person", EVERYONE)
def test_only_eastsides_coordinator_sees_eastsides_insights(
    client: TestClient, cast: Cast, person: str
) -> None:
    cast.sign_in(client, getattr(cast, person))
    for path in org_paths(cast.eastside):
        expected = 200 if person == "elena" else 403
        assert client.get(path).status_code == expected, path


@pytest.mark.parametrize("person", EVERYONE)
def test_only_the_coalition_admin_sees_the_coalition_dashboard(
    client: TestClient, cast: Cast, person: str
) -> None:
    cast.sign_in(client, getattr(cast, person))
    for path in COALITION_PATHS:
        expected = 200 if person == "ada" else 403
        assert client.get(path).status_code == expected, path


def test_signed_out_visitors_see_no_dashboard(client: TestClient, cast: Cast) -> None:
    for path in [*org_paths(cast.eastside), *COALITION_PATHS]:
        answer = client.get(path, follow_redirects=False)
        # Browsers asking for a page are sent to sign in; everything else gets 401.
        assert answer.status_code in (303, 401), path
        assert answer.status_code == 401 or answer.headers["location"].startswith("/signin")


def test_unknown_chart_and_silly_periods_are_refused(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.elena)
    base = f"/organizations/{cast.eastside}/insights"
    assert client.get(f"{base}/charts/nothing.svg").status_code == 404
    assert client.get(f"{base}?days=0").status_code == 422
    assert client.get(f"{base}?days=1000").status_code == 422


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def history(sessions: sessionmaker[Session], settings: Settings, cast: Cast) -> list[int]:
    """Three Eastside incidents a day ago (one confirmed and alerted, one reached late and never
    confirmed, one nobody asked about; the last two expire) and one Westside incident."""
    add_zones(sessions, cast)
    start = cast.clock.now() - timedelta(days=1)
    ids = [
        play(sessions, settings, cast, start, Plan(request=2, scene=8, confirm=12, alert=14)),
        play(sessions, settings, cast, start + timedelta(hours=3), Plan(scene=30, confirm=None)),
        play(sessions, settings, cast, start + timedelta(hours=6), Plan(request=None)),
    ]
    westside = Plan(request=None, pin=WESTSIDE_PIN)
    ids.append(play(sessions, settings, cast, start + timedelta(hours=9), westside))
    return ids


def test_stage_times_come_from_the_timeline(
    client: TestClient, cast: Cast, history: list[int]
) -> None:
    cast.sign_in(client, cast.elena)
    answer = client.get(f"/organizations/{cast.eastside}/insights/charts/stage-times.csv")
    assert answer.headers["content-type"].startswith("text/csv")
    steps = {row["step"]: row for row in csv_rows(answer.text)}
    assert steps["report_to_request"]["median_minutes"] == "2.0"
    assert steps["report_to_request"]["incidents_measured"] == "2"
    # requested → on scene: 6 minutes and 28 minutes; nearest-rank median is the lower one.
    assert steps["request_to_scene"]["median_minutes"] == "6.0"
    assert steps["request_to_scene"]["p90_minutes"] == "28.0"
    assert steps["scene_to_confirmed"]["median_minutes"] == "4.0"
    assert steps["confirmed_to_alert"]["median_minutes"] == "2.0"
    assert steps["report_to_alert"]["median_minutes"] == "14.0"


def test_outcomes_zones_and_coverage(client: TestClient, cast: Cast, history: list[int]) -> None:
    cast.sign_in(client, cast.elena)
    base = f"/organizations/{cast.eastside}/insights/charts"
    outcomes = {r["outcome"]: r for r in csv_rows(client.get(f"{base}/outcomes.csv").text)}
    assert outcomes["verified"]["incidents"] == "1"
    # The worker's sweep after the third expires it and the second (reached late, unconfirmed).
    assert outcomes["expired"]["incidents"] == "2"
    assert outcomes["open"]["incidents"] == "0"
    zones = csv_rows(client.get(f"{base}/incidents-by-zone.csv").text)
    assert zones == [{"zone": "Downtown", "incidents": "3"}]  # Westside's is not ours
    coverage = csv_rows(client.get(f"{base}/coverage.csv").text)
    assert [(c["requests"], c["reached_in_time"]) for c in coverage] == [("2", "1")]
    svg = client.get(f"{base}/coverage.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and "<title>" in svg.text


def test_coalition_dashboard_counts_every_organization(
    client: TestClient, cast: Cast, history: list[int]
) -> None:
    cast.sign_in(client, cast.ada)
    rows = csv_rows(client.get("/coalition/insights/charts/incidents-by-zone.csv").text)
    assert {r["zone"]: r["incidents"] for r in rows} == {"Downtown": "3", "Coast": "1"}
    page = client.get("/coalition/insights")
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers


def test_dashboard_page_shows_every_chart_with_downloads(
    client: TestClient, cast: Cast, history: list[int]
) -> None:
    cast.sign_in(client, cast.elena)
    page = client.get(
        f"/organizations/{cast.eastside}/insights?days=7", headers={"Accept-Language": "en"}
    )
    assert page.status_code == 200
    for slug in ("reports-by-day", "incidents-by-zone", "outcomes", "on-shift-by-hour", "coverage"):
        assert f"/charts/{slug}.svg?days=7" in page.text
        assert f"/charts/{slug}.csv?days=7" in page.text
    assert page.text.count("<svg") == 8
    assert "Eastside Response" in page.text
    # Nobody's name and no exact position appear anywhere on the page.
    assert "Rosa" not in page.text and "Dario" not in page.text
    assert "34.05," not in page.text and "-118.25<" not in page.text


def test_exports_hold_coarse_places_only(
    client: TestClient, cast: Cast, history: list[int], db: Session
) -> None:
    cast.sign_in(client, cast.elena)
    base = f"/organizations/{cast.eastside}/insights"
    rows = csv_rows(client.get(f"{base}/incidents.csv").text)
    assert len(rows) == 3 and {r["outcome"] for r in rows} == {"verified", "expired"}
    geo = client.get(f"{base}/incidents.geojson")
    assert geo.headers["content-type"].startswith("application/geo+json")
    features = json.loads(geo.text)["features"]
    assert len(features) == 3
    forbidden = {"lat", "lon", "contact", "description", "cross_streets", "member", "name"}
    for feature in features:
        assert forbidden.isdisjoint(feature["properties"])
        lon, lat = feature["geometry"]["coordinates"]
        assert (lat, lon) != (34.05, -118.25)  # the centre of the coarse cell, not the pin
        assert lat == feature["properties"]["public_lat"]
    assert "34.05," not in geo.text


def test_zone_names_cannot_inject_markup_or_formulas(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], settings: Settings
) -> None:
    from tests.reports.factories import box
    from vecinos.db import transaction
    from vecinos.geo.zones import create_zone

    with transaction(sessions) as db:
        zone = box(-118.30, 34.0, -118.20, 34.1)
        create_zone(db, cast.eastside, '=HYPERLINK("x")<script>', zone, now=cast.clock.now())
    play(sessions, settings, cast, cast.clock.now() - timedelta(hours=2), Plan(request=None))
    cast.sign_in(client, cast.elena)
    base = f"/organizations/{cast.eastside}/insights"
    assert "<script>" not in client.get(base).text
    assert "<script>" not in client.get(f"{base}/charts/incidents-by-zone.svg").text
    exported = client.get(f"{base}/incidents.csv").text
    assert "'=HYPERLINK" in exported


def test_pages_in_spanish(client: TestClient, cast: Cast, history: list[int]) -> None:
    spanish = {"Accept-Language": "es-MX"}
    cast.sign_in(client, cast.elena)
    page = client.get(f"/organizations/{cast.eastside}/insights", headers=spanish)
    assert "Estadísticas" in page.text and "Descargar SVG" in page.text
    assert "Reporte → verificación pedida" in page.text
    svg = client.get(
        f"/organizations/{cast.eastside}/insights/charts/coverage.svg", headers=spanish
    )
    assert "Ningún voluntario en 10 minutos" in svg.text
    public = client.get("/transparency", headers=spanish)
    assert "menos de 5" in public.text
