"""What runs beside the web app (`vecinos serve`) or on its own (`vecinos worker`).

Three parts, each in a thread of its own so none waits for another: the periodic jobs (offer
time-outs, expiry, purges: `worker.runner.Worker`), the delivery engine's event loop
(`alerts.sending`), and on PostgreSQL the listener that brings other processes' events to this
one (`events.listening`; the web app listens too, so one listener serves both).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from contextlib import ExitStack

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from vecinos import events
from vecinos.alerts.sending import DeliveryEngine
from vecinos.clock import Clock
from vecinos.config import Settings
from vecinos.worker.runner import Worker

log = logging.getLogger("vecinos.app.background")


class Background:
    def __init__(
        self,
        engine: Engine,
        sessions: sessionmaker[Session],
        settings: Settings,
        clock: Clock,
        *,
        listen: bool,
    ) -> None:
        self.jobs = Worker(sessions, settings, clock)
        self.delivery = DeliveryEngine(sessions, settings, clock)
        self.engine, self.listen = engine, listen
        self._exits = ExitStack()
        self._stop_jobs = threading.Event()
        self._delivery_stop: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
        self._delivery_started = threading.Event()
        self._threads = [
            threading.Thread(target=self.jobs.run, args=(self._stop_jobs,), name="vecinos-jobs"),
            threading.Thread(target=self._deliver, name="vecinos-delivery"),
        ]

    def start(self) -> Background:
        if self.listen:
            self._exits.enter_context(events.listening(self.engine))
        for thread in self._threads:
            thread.daemon = True
            thread.start()
        self._delivery_started.wait(10)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Ask every part to finish what it is doing, then wait for them (up to `timeout`)."""
        self._stop_jobs.set()
        if self._delivery_stop is not None:
            loop, stop = self._delivery_stop
            loop.call_soon_threadsafe(stop.set)
        for thread in self._threads:
            thread.join(timeout)
        self._exits.close()

    def _deliver(self) -> None:
        asyncio.run(self._delivery_main())

    async def _delivery_main(self) -> None:
        stop = asyncio.Event()
        self._delivery_stop = (asyncio.get_running_loop(), stop)
        self._delivery_started.set()
        while not stop.is_set():
            try:
                await self.delivery.run(stop)
            except Exception:  # the database may be away for a moment: start again
                log.exception("delivery engine failed; starting again")
                await asyncio.sleep(1)
