"""`vecinos worker`: the background work (alert deliveries, offer time-outs, expiry, purges)
as a process of its own."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import typer
from rich.console import Console

from vecinos.alerts.sending import DeliveryEngine
from vecinos.app.background import Background
from vecinos.clock import SystemClock
from vecinos.commands import open_engine, settings_or_exit
from vecinos.db import make_session_factory
from vecinos.worker.runner import Worker

console = Console()
log = logging.getLogger("vecinos.worker")


def worker(
    once: bool = typer.Option(False, "--once", help="Run every due job once, then exit."),
) -> None:
    """Run the background worker until SIGTERM or Ctrl+C (migrations must be applied first).

    Any number may run beside `vecinos serve` and each other: every job claims its work
    atomically in the database.
    """
    settings = settings_or_exit()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    engine = open_engine(settings)
    sessions = make_session_factory(engine)
    if once:
        for name, count in Worker(sessions, settings, SystemClock()).tick().items():
            console.print(f"{name}: {count}")
        sent = DeliveryEngine(sessions, settings, SystemClock()).drain_now()
        console.print(f"alerts.deliveries: {sent}")
        return
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        # Only a flag: what is under way finishes (transactions, messages on the wire).
        log.info("worker: %s received, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    running = Background(engine, sessions, settings, SystemClock(), listen=True).start()
    log.info("worker started")
    stop.wait()
    running.stop()
    log.info("worker stopped")
