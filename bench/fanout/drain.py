"""One benchmark worker: vecinos' real worker loop running only the delivery job, until the
outbox is empty. `python -m bench.fanout.drain URL SECRET` (run two of them side by side)."""

from __future__ import annotations

import sys
import threading

from sqlalchemy import func, select

from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.clock import SystemClock
from vecinos.config import Settings
from vecinos.db import make_engine, make_session_factory
from vecinos.worker.registry import JobSpec, resolve
from vecinos.worker.runner import Worker

# Due again at once (every 0 s): both workers may claim batches side by side.
DELIVER = JobSpec("alerts.deliver", "vecinos.alerts.delivery:deliver_due", 0)


def settings_for(url: str, secret: str) -> Settings:
    return Settings(
        database_url=url, secret_key=secret, worker_batch_size=5000, worker_poll_seconds=0.05
    )


def main(url: str, secret: str) -> None:
    settings = settings_for(url, secret)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    worker = Worker(sessions, settings, SystemClock(), jobs=[resolve(DELIVER)])
    queued = select(func.count()).where(Delivery.status == DeliveryStatus.QUEUED.value)
    while True:
        worker.tick()
        with sessions() as db:
            if not db.scalar(queued):
                break
        threading.Event().wait(settings.worker_poll_seconds)
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
