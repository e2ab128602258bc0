"""A troll flood does not bury real incidents on the live board (issue 15, finding 11), in
Spanish, at a desk and on a phone: incidents several people report stay at the top, one-source
ones stay folded in the "possible flood" group, while new reports arrive live and while the
stream says `ready` again (the whole board is asked for anew). A whole board that was read
before the live changes and arrives after them undoes none of them, and a new incident that
several people report lands above the others as soon as it is corroborated."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import APIResponse, Browser, Page, Route, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.fixtures import LiveServer, screenshot
from tests.browser.spanish import no_overflow, sign_in, spanish
from tests.cast import Cast
from tests.dispatch.factories import SCENE
from tests.reports.factories import body
from vecinos import events
from vecinos.config import Settings
from vecinos.incidents.models import Incident

pytestmark = pytest.mark.browser
THRESHOLD = 3  # more one-source incidents than this fold away
SOUTH = (34.0322, -118.2437)  # about 2 km from SCENE: an incident of its own
EAST = (34.0522, -118.2137)
FLOOD_LABEL = "Posible avalancha: reportes de una sola fuente, sin corroborar"
FLOOD_HINT = "Los reportes que enviaron varias personas están arriba."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"board_flood_threshold": THRESHOLD})


def troll(n: int) -> tuple[float, float]:
    """The n-th one-source report, each a kilometre from the last (nobody corroborates it)."""
    return (round(34.10 + n * 0.01, 4), -118.15)


def report(client: TestClient, at: tuple[float, float], times: int = 1) -> None:
    """`times` reports from as many phones (each report's device token is new)."""
    for _ in range(times):
        reported = client.post("/api/reports", json=body(at))
        assert reported.status_code == 201, reported.text


def incident_at(db: Session, at: tuple[float, float]) -> str:
    db.expire_all()
    found = db.scalar(select(Incident.id).where(Incident.lat == at[0], Incident.lon == at[1]))
    assert found is not None
    return str(found)


def lane(page: Page, name: str) -> list[str]:
    """The incidents of a list, top to bottom."""
    ids: list[str] = page.locator(f'.cards[data-state="{name}"] > li').evaluate_all(
        "(cards) => cards.map((card) => card.dataset.incident)"
    )
    return ids


def top(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["y"]


def focused_incident(page: Page) -> str | None:
    found: str | None = page.evaluate(
        "() => { const li = document.activeElement && document.activeElement.closest('li');"
        " return li ? li.dataset.incident : null; }"
    )
    return found


def boards_taken(page: Page) -> int:
    """Whole boards the page has taken in (the first when its stream said `ready`)."""
    return int(page.locator("#console").get_attribute("data-boards") or 0)


def expect_boards(page: Page, count: int) -> None:
    expect(page.locator("#console")).to_have_attribute("data-boards", str(count), timeout=10000)


def ready_again(page: Page, held: list[Route]) -> Route:
    """The stream says `ready` (as it does on reconnecting, or when the server's listener may
    have missed events); the page asks for the whole board, and the request is held."""
    before = len(held)
    with page.expect_request("**/dispatch/board"):
        events.hub.deliver(events.Topic.INCIDENTS, events.RESYNC)
    page.evaluate("() => 0")  # a round trip: the route handler has run by its answer
    assert len(held) > before
    return held[before]


def expect_the_flood_folded(page: Page, lone: int) -> None:
    flood = page.locator("details.flood")
    expect(flood.locator("summary")).to_have_text(f"{FLOOD_LABEL} {lone}")
    expect(flood).not_to_have_attribute("open", "")
    expect(page.locator('.cards[data-state="possible-flood"] > li')).to_have_count(lone)
    expect(page.locator('.cards[data-state="possible-flood"] > li').first).to_be_hidden()


def expect_order(page: Page, genuine: list[str], alone: Callable[[], list[str]]) -> None:
    """The genuine incidents are the reported lane, most sources first, and above the fold;
    every one-source incident is in the fold."""
    expect(page.locator('.cards[data-state="reported"] > li')).to_have_count(len(genuine))
    assert lane(page, "reported") == genuine
    assert sorted(lane(page, "possible-flood")) == sorted(alone())
    heights = [top(page, f"#incident-{i}") for i in genuine] + [top(page, "details.flood")]
    assert heights == sorted(heights), heights


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_a_troll_flood_stays_folded_below_real_incidents_while_the_board_is_live(
    browser: Browser,
    live_server: LiveServer,
    client: TestClient,
    cast: Cast,
    db: Session,
    size: str,
) -> None:
    report(client, SCENE, 3)
    report(client, SOUTH, 2)
    for n in range(5):  # the newest: above the genuine ones if the board ranked by time alone
        report(client, troll(n))
    scene, south = incident_at(db, SCENE), incident_at(db, SOUTH)
    trolls = list(range(5))

    def alone() -> list[str]:
        return [incident_at(db, troll(n)) for n in trolls]

    page = spanish(browser, size).new_page()
    sign_in(page, live_server, cast, cast.dario, "/dispatch")
    expect(page.locator("#live")).to_have_text("En vivo")
    expect_boards(page, 1)  # the stream's first `ready`
    expect_the_flood_folded(page, 5)
    expect_order(page, [scene, south], alone)
    page.locator(f"#incident-{scene} .card").focus()

    # The stream says `ready` again; the board it asks for is read now but held on its way.
    held: list[Route] = []
    page.route("**/dispatch/board", lambda route: held.append(route))
    # Counted from here: the page also reloads its board every minute, and a slow run may
    # have passed one already.
    taken = boards_taken(page)
    stale: APIResponse = ready_again(page, held).fetch()
    assert stale.ok
    # Meanwhile, live: two more trolls, and a new incident four people report.
    report(client, troll(5))
    report(client, troll(6))
    trolls += [5, 6]
    report(client, EAST)
    east = incident_at(db, EAST)
    report(client, EAST, 3)
    expect(page.locator(f"#incident-{east} .card")).to_contain_text("4 fuentes")
    expect_the_flood_folded(page, 7)
    expect_order(page, [east, scene, south], alone)
    assert boards_taken(page) == taken  # a flood of one-source incidents asked for no board

    # The board read before all that arrives last: it undoes none of it.
    held[0].fulfill(response=stale)
    expect_boards(page, taken + 1)
    expect_the_flood_folded(page, 7)
    expect_order(page, [east, scene, south], alone)
    expect(page.locator(f"#incident-{east} .card")).to_contain_text("4 reportes · 4 fuentes")
    assert focused_incident(page) == scene, "the focused card kept its focus"
    no_overflow(page)
    screenshot(page, f"dispatch-flood-{size}")

    # The stream says `ready` once more and the board comes straight: the same board.
    page.unroute("**/dispatch/board")
    waiting = held[1:]  # a minute's reload, if one came while the board was held
    for route in waiting:
        route.continue_()
    events.hub.deliver(events.Topic.INCIDENTS, events.RESYNC)
    expect_boards(page, taken + 1 + len(waiting) + 1)
    expect_the_flood_folded(page, 7)
    expect_order(page, [east, scene, south], alone)
    assert focused_incident(page) == scene

    # Each one-source report is still there to check, under the fold's warning.
    page.locator("details.flood summary").click()
    expect(page.locator("details.flood .hint")).to_contain_text(FLOOD_HINT)
    expect(page.locator('.cards[data-state="possible-flood"] .card')).to_have_count(7)
    expect(page.locator('.cards[data-state="possible-flood"] .card').first).to_be_visible()
    expect(page.locator('.cards[data-state="possible-flood"] .card').first).to_contain_text(
        "1 reporte · 1 fuente"
    )
    no_overflow(page)
    screenshot(page, f"dispatch-flood-open-{size}")
