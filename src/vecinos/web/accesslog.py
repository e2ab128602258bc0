"""Access log lines without the client's address: method, path, status, duration only.
Uvicorn's own access log prints the client IP; `vecinos serve` turns it off and uses this,
through the app's one response middleware (`vecinos.app.answers`).
"""

from __future__ import annotations

import logging
import time

from starlette.types import Scope

log = logging.getLogger("vecinos.access")


def note(scope: Scope, status: int, started: float) -> None:
    """One line for an answered request; `started` is its `time.perf_counter()`."""
    elapsed_ms = (time.perf_counter() - started) * 1000
    log.info('"%s %s" %d %.1fms', scope["method"], scope["path"], status, elapsed_ms)
