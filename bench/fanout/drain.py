"""One benchmark worker: vecinos' delivery engine, as `vecinos worker` runs it, until the
outbox is empty. `python -m bench.fanout.drain URL SECRET` (run two of them side by side)."""

from __future__ import annotations

import sys

from sqlalchemy import func, select

from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.alerts.sending import DeliveryEngine
from vecinos.clock import SystemClock
from vecinos.config import Settings
from vecinos.db import make_engine, make_session_factory


def settings_for(url: str, secret: str) -> Settings:
    return Settings(database_url=url, secret_key=secret)  # the defaults a deployment runs


def main(url: str, secret: str) -> None:
    settings = settings_for(url, secret)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    delivery = DeliveryEngine(sessions, settings, SystemClock())
    queued = select(func.count()).where(Delivery.status == DeliveryStatus.QUEUED.value)
    while True:
        delivery.drain_now()
        with sessions() as db:
            if not db.scalar(queued):
                break
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
