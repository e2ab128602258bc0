"""Active alerts for the read-side benchmark: confirmed incidents at public places of Los
Angeles County, each published as the dispatcher's "publish" button does (`alerts.publishing`).

    VECINOS_DATA_DIR=… .venv/bin/python -m bench.readside.seed [--alerts 20]
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime

from vecinos.alerts.models import AlertKind
from vecinos.alerts.publishing import NO_EDITS, publish
from vecinos.config import load_settings
from vecinos.db import make_engine, make_session_factory, transaction
from vecinos.geo.cells import cell_of
from vecinos.incidents.models import Incident, IncidentState

# Around downtown, East LA, Boyle Heights, Huntington Park, Pasadena (approximate points).
PLACES = [(34.0407, -118.2468), (34.0239, -118.1720), (34.0336, -118.2058), (33.9817, -118.2251)]
PLACES += [(34.1478, -118.1445), (33.9731, -118.2479), (34.0522, -118.2437), (34.0686, -118.0276)]


def seed(count: int) -> None:
    settings = load_settings()
    engine = make_engine(settings.effective_database_url)
    sessions = make_session_factory(engine)
    rng = random.Random(14)
    now = datetime.now(UTC)
    for n in range(count):
        lat, lon = PLACES[n % len(PLACES)]
        lat, lon = lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01)
        with transaction(sessions) as db:
            found = Incident(
                organization_id=None,
                state=IncidentState.CONFIRMED,
                verdict="confirmed",
                lat=lat,
                lon=lon,
                h3_cell=cell_of(lat, lon, 8),
                public_cell=cell_of(lat, lon, 7),
                public_lat=round(lat, 2),
                public_lon=round(lon, 2),
                activity=rng.choice(["vehicles_staged", "agents_on_foot", "checkpoint"]),
                report_count=3,
                source_count=2,
                opened_at=now,
                last_seen_at=now,
                state_changed_at=now,
            )
            db.add(found)
            db.flush()
            publish(
                db, found, AlertKind.CONFIRMED, NO_EDITS, now=now, settings=settings, actor_id=None
            )
    engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=20)
    seed(parser.parse_args().alerts)
