"""Scheduled coverage beside the reached/unreached map: planned shifts short of people, by
fixed post and zone, counts only."""

from __future__ import annotations

import csv
import io
from datetime import time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.coverage.factories import make_schedule, make_site, sign_up, slots_of
from vecinos.config import Settings


def test_short_shifts_are_counted_by_place_and_drawn_beside_the_coverage_map(
    client: TestClient,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    db: Session,
) -> None:
    school = make_site(sessions, cast, settings)
    watch = make_schedule(sessions, cast, settings, site_id=school, needed=1)
    court = make_site(sessions, cast, settings, "Hall of Justice", at=(34.0560, -118.2390))
    make_schedule(
        sessions, cast, settings, site_id=court, needed=1, title="Court watch", start_time=time(9)
    )
    # Every school slot of the coming week staffed; none of the court's.
    week = [s.id for s in slots_of(db, watch) if s.starts_at < cast.clock.now() + timedelta(days=7)]
    for slot_id in week:
        sign_up(sessions, cast, cast.rosa, slot_id)
    cast.sign_in(client, cast.elena)
    base = f"/organizations/{cast.eastside}/insights"
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"{base}/charts/scheduled-coverage.csv").text))
    )
    by_place = {r["place"]: r for r in rows}
    assert (by_place["Hall of Justice"]["shifts"], by_place["Hall of Justice"]["short_shifts"]) == (
        "5",
        "5",
    )
    assert by_place["Hall of Justice"]["people_missing"] == "5"
    assert (
        by_place["Ninth Street School"]["shifts"],
        by_place["Ninth Street School"]["short_shifts"],
    ) == ("5", "0")
    page = client.get(base, headers={"Accept-Language": "es"}).text
    coverage_at = page.index('id="chart-coverage"')
    scheduled_at = page.index('id="chart-scheduled-coverage"')
    assert coverage_at < scheduled_at  # right after the reached/unreached map
    assert "Cobertura programada: turnos previstos a los que les falta gente" in page
    assert "Hall of Justice: a 5 de 5 turnos les falta gente; faltan 5 personas" in page
    assert "Rosa" not in page  # counts only, no names
