"""Maps show the place without any tile server: they fit what they show, draw the coalition's
zones by name over the service area, pan to "use my location", keep a drawn zone where it was
drawn, and use the app's own PMTiles basemap when the data directory has one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect
from pmtiles.tile import Compression, TileType
from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import inside_map, no_overflow, sign_in, spanish
from tests.cast import Cast
from tests.maps.pmtiles_files import png, tiles_over, write_pmtiles
from tests.reports.factories import body
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.geo.models import Zone
from vecinos.geo.zones import create_zone

pytestmark = pytest.mark.browser
BOYLE_HEIGHTS = (34.04, -118.21)
SAN_FERNANDO = (34.28, -118.44)
LONG_BEACH = (33.77, -118.19)  # in the service area, far from every zone


def square(lat: float, lon: float, half: float = 0.012) -> dict[str, object]:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def zones(cast: Cast, sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as db:
        create_zone(
            db, cast.eastside, "Boyle Heights", square(*BOYLE_HEIGHTS), now=cast.clock.now()
        )
        create_zone(db, cast.westside, "San Fernando", square(*SAN_FERNANDO), now=cast.clock.now())


@pytest.mark.parametrize("size", ["phone", "desk"])
@pytest.mark.usefixtures("zones")
def test_the_board_map_shows_every_incident_and_the_zones(
    browser: Browser, live_server: LiveServer, client: TestClient, cast: Cast, size: str
) -> None:
    spots = [(34.05, -118.23), (34.03, -118.20), (33.99, -118.28), (34.10, -118.15)]
    for lat, lon in spots:
        assert client.post("/api/reports", json=body((lat, lon))).status_code == 201
    page = spanish(browser, size).new_page()
    sign_in(page, live_server, cast, cast.dario, "/dispatch")
    expect(page.locator(".cards > li")).to_have_count(4)
    markers = page.locator("#map path.leaflet-interactive")
    expect(markers).to_have_count(4)
    expect(page.locator(".zone-label", has_text="Boyle Heights")).to_be_visible()
    expect(page.locator("#map")).to_have_attribute("data-fitted", "true")
    assert inside_map(page, "#map path.leaflet-interactive") == [True] * 4
    expect(page.get_by_role("button", name="Acercar")).to_be_visible()
    no_overflow(page)
    screenshot(page, f"maps-board-{size}")


@pytest.mark.usefixtures("zones")
def test_use_my_location_moves_the_map_to_the_pin(
    browser: Browser, live_server: LiveServer
) -> None:
    context = spanish(
        browser,
        "phone",
        geolocation={"latitude": LONG_BEACH[0], "longitude": LONG_BEACH[1]},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/report")
    labels = page.locator(".zone-label")
    expect(labels.filter(has_text="Boyle Heights")).to_be_visible()
    expect(labels.filter(has_text="San Fernando")).to_be_visible()  # fitted to the zones
    page.get_by_role("button", name="Usar mi ubicación").click()
    # A place a person knows, never the pin's digits.
    expect(page.locator("#pin-status")).to_have_text("Marcador cerca de Long Beach (90802).")
    expect(page.locator("#map")).to_have_attribute("data-fitted", "true")
    assert inside_map(page, ".leaflet-marker-icon") == [True]
    no_overflow(page)
    screenshot(page, "maps-report-located-phone")


@pytest.mark.usefixtures("zones")
def test_a_zone_is_saved_where_it_was_drawn(
    browser: Browser, live_server: LiveServer, cast: Cast, db: Session
) -> None:
    page = spanish(browser, "desk").new_page()
    sign_in(page, live_server, cast, cast.elena, f"/admin/{cast.eastside}")
    label = page.locator("#map .zone-label", has_text="Boyle Heights")  # not the landmarks map
    expect(label).to_be_visible()
    expect(page.locator("#map")).to_have_attribute("data-fitted", "true")
    # The members' table fills in above the map after it is made: the map must follow.
    expect(page.locator("#members tr")).to_have_count(4)
    at = label.bounding_box()
    box = page.locator("#map").bounding_box()
    assert at is not None and box is not None
    x, y = at["x"] + at["width"] / 2 - box["x"], at["y"] + at["height"] / 2 - box["y"]
    page.get_by_label("Nombre de la zona").fill("Alrededor de Boyle Heights")
    for dx, dy in ((-40, -40), (40, -40), (40, 40), (-40, 40)):
        page.locator("#map").click(position={"x": x + dx, "y": y + dy})
    expect(page.locator("#zone-points")).to_contain_text("4")
    page.get_by_role("button", name="Guardar zona").click()
    expect(page.locator("#zones")).to_contain_text("Alrededor de Boyle Heights")
    drawn = db.scalar(select(Zone).where(Zone.name == "Alrededor de Boyle Heights"))
    assert drawn is not None
    assert shape(drawn.geometry).contains(Point(BOYLE_HEIGHTS[1], BOYLE_HEIGHTS[0]))
    screenshot(page, "maps-admin-zone-desk")


def loaded_tiles(page: Page) -> int:
    count: int = page.evaluate(
        """() => [...document.querySelectorAll('#map img.leaflet-tile')]
             .filter((t) => t.complete && t.naturalWidth === 256 && t.src.includes('/map/tiles/'))
             .length"""
    )
    return count


@pytest.mark.usefixtures("zones")
def test_the_self_hosted_basemap_draws_under_the_zones(
    browser: Browser, live_server: LiveServer, settings: Settings
) -> None:
    south, west = BOYLE_HEIGHTS[0] - 0.4, BOYLE_HEIGHTS[1] - 0.4
    north, east = SAN_FERNANDO[0] + 0.4, SAN_FERNANDO[1] + 0.6
    image = png((214, 234, 214))
    tiles = [(key, image) for key in tiles_over(south, west, north, east, range(0, 13))]
    write_pmtiles(settings.data_dir / "basemap.pmtiles", tiles, attribution="Mapa de prueba")
    page = spanish(browser, "phone").new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{live_server.url}/alerts")
    expect(page.locator(".zone-label", has_text="Boyle Heights")).to_be_visible()
    expect(page.locator("#map")).to_have_attribute("data-fitted", "true")
    # Leaflet marks a tile loaded once its image is in (a locator waits without page-side eval,
    # which the page's Content-Security-Policy forbids).
    expect(page.locator("#map img.leaflet-tile-loaded").nth(1)).to_be_attached()
    assert loaded_tiles(page) >= 2
    assert all(u.startswith(live_server.url) for u in asked), "only this server is asked"
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Mapa de prueba")
    screenshot(page, "maps-basemap-raster-phone")


def test_a_vector_basemap_is_drawn_by_the_page(
    browser: Browser, live_server: LiveServer, settings: Settings
) -> None:
    empty_layer = b""  # a valid vector tile with no layers: nothing to draw, everything to fetch
    tiles = [(key, empty_layer) for key in tiles_over(33.6, -119.0, 34.9, -117.6, range(0, 12))]
    write_pmtiles(
        settings.data_dir / "basemap.pmtiles",
        tiles,
        tile_type=TileType.MVT,
        compression=Compression.GZIP,
    )
    page = spanish(browser, "desk").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with page.expect_response(lambda r: "/map/tiles/" in r.url and r.status == 200):
        page.goto(f"{live_server.url}/report")
    expect(page.locator("#map canvas.leaflet-tile").first).to_be_attached()
    assert errors == []
