"""Server-Sent Events: what every live stream of the app starts with."""

from __future__ import annotations

# Sent once the stream listens, on every (re)connection. A page loads its list on `ready`, so
# nothing published between its list and its stream is missed, on the first connection, after
# a dropped one, or when the server may have missed events (`events.RESYNC`). `retry` asks
# browsers to reconnect after three seconds.
READY = "retry: 3000\nevent: ready\ndata: {}\n\n"
