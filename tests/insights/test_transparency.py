"""The public page: counts only, never a cell under 5, nothing younger than 24 hours."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.dispatch.factories import make_incident
from vecinos.db import transaction
from vecinos.incidents.models import Incident, IncidentState
from vecinos.insights.facts import outcome_of
from vecinos.insights.transparency import monday_of, tabulate

NOW = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)
LA = ZoneInfo("America/Los_Angeles")
STATES = [s.value for s in IncidentState]
incident_rows = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=24 * 7 * 14),  # hours before now
        st.sampled_from(STATES),
        st.sampled_from([None, "confirmed", "unfounded"]),
    ),
    max_size=300,
)


def rows_at(spec: list[tuple[float, str, str | None]]) -> list[tuple[datetime, str, str | None]]:
    return [(NOW - timedelta(hours=h), state, verdict) for h, state, verdict in spec]


@settings(max_examples=300, deadline=None)
@given(spec=incident_rows, k=st.integers(min_value=0, max_value=12))
def test_no_cell_under_five_is_ever_shown(
    spec: list[tuple[float, str, str | None]], k: int
) -> None:
    table = tabulate(rows_at(spec), now=NOW, tz=LA, k=k, min_age=timedelta(hours=1))
    assert table.k >= 5  # asking for less than 5 (or less than 24 h) is not honoured
    assert all(n >= 5 and n >= k for n in table.shown())
    # Every shown number is the true count of its cell among incidents at least 24 h old.
    old = Counter(
        (monday_of(at, LA), outcome_of(state, verdict))
        for at, state, verdict in rows_at(spec)
        if at <= NOW - timedelta(hours=24)
    )
    for key, shown in table.cells.items():
        assert shown == (old[key] if old[key] >= table.k else None)


@settings(max_examples=200, deadline=None)
@given(spec=incident_rows, young=st.lists(st.floats(min_value=0, max_value=23.99), max_size=50))
def test_nothing_younger_than_a_day_counts(
    spec: list[tuple[float, str, str | None]], young: list[float]
) -> None:
    before = tabulate(rows_at(spec), now=NOW, tz=LA)
    fresh: list[tuple[float, str, str | None]] = [(h, "confirmed", "confirmed") for h in young]
    after = tabulate(rows_at(spec + fresh), now=NOW, tz=LA)
    assert after == before


def test_only_complete_weeks_are_shown() -> None:
    table = tabulate([], now=NOW, tz=LA)  # Monday 10:00 in Los Angeles: last week is not over
    assert table.weeks[0] == monday_of(NOW - timedelta(days=8), LA)
    assert len(table.weeks) == 12


def add_incidents(
    sessions: sessionmaker[Session], cast: Cast, count: int, opened: datetime, verdict: str
) -> None:
    for _ in range(count):
        incident_id = make_incident(sessions, cast, state=IncidentState.ENDED)
        with transaction(sessions) as db:
            incident = db.get(Incident, incident_id)
            assert incident is not None
            incident.opened_at, incident.verdict = opened, verdict


def numbers_in_table(html: str) -> list[int]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [int(n) for n in re.findall(r"<td>(\d+)</td>", body)]


def test_public_page_shows_five_hides_four_and_ignores_today(
    client: TestClient, cast: Cast, sessions: sessionmaker[Session], db: Session
) -> None:
    now = cast.clock.now()  # Monday 2026-06-01, 10:00 in Los Angeles
    add_incidents(sessions, cast, 5, now - timedelta(days=8), "confirmed")  # the week of May 18
    add_incidents(sessions, cast, 4, now - timedelta(days=8), "unfounded")
    add_incidents(sessions, cast, 9, now - timedelta(hours=23), "unfounded")  # too young
    add_incidents(sessions, cast, 6, now - timedelta(days=2), "unfounded")  # week not over
    page = client.get("/transparency", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert numbers_in_table(page.text) == [5]
    assert "fewer than 5" in page.text
    exported = client.get("/transparency.csv").text
    assert ",5," in exported and ",4," not in exported and ",9," not in exported
    assert ",13," not in exported  # the young ones never join the older ones' count
    assert "2026-05-25" not in exported and ",6," not in exported
    assert exported.splitlines()[1].startswith("2026-05-18,5,")


def test_public_page_needs_no_sign_in_and_names_nobody(client: TestClient, cast: Cast) -> None:
    page = client.get("/transparency")
    assert page.status_code == 200
    for name in ("Eastside", "Westside", "Elena", "Rosa"):
        assert name not in page.text


def test_home_page_links_to_the_public_page(client: TestClient) -> None:
    assert 'href="/transparency"' in client.get("/").text
