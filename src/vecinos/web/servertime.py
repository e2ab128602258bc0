"""`X-Server-Time` on every response: phones' clocks are often wrong, and countdowns for
offers and alert expiry must follow the server's. Set by `vecinos.app.answers`."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders

from vecinos.clock import Clock

HEADER = "X-Server-Time"


def stamp(headers: MutableHeaders, clock: Clock) -> None:
    headers.append(HEADER, clock.now().isoformat())
