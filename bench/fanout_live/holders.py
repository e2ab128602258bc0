"""One process holding many SSE streams open (`python -m bench.fanout_live.holders`).

Plain asyncio sockets, the cheapest client there is: each stream sends one GET, reads the
answer's status, waits for the `ready` event, then for the first `alert` event, and notes the
wall-clock moment it arrived. Talks to the bench on stdin/stdout, one JSON line each way:

    -> {"ready": n, "refused": {"503": k}, "failed": f, "open_seconds": s}
    <- "go N"  (the bench is about to publish an alert with an id above N)
    -> {"received": [t, ...], "missing": m}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections import Counter

OPENING_AT_ONCE = 64  # connections being opened at a time per process (accept queue)


class Stream:
    def __init__(self) -> None:
        self.received: float | None = None
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None


async def open_stream(host: str, port: int, path: str, stream: Stream) -> str:
    """'ready', or the status code that refused it, or 'failed'."""
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        return "failed"
    stream.reader, stream.writer = reader, writer
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    try:
        status = (await reader.readline()).split()
        if len(status) < 2 or status[1] != b"200":
            writer.close()
            return status[1].decode() if len(status) >= 2 else "failed"
        await reader.readuntil(b"event: ready")
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        writer.close()
        return "failed"
    return "ready"


async def wait_for_alert(stream: Stream, after: int) -> None:
    """Waits for an alert whose event id is above `after`: one published before the bench
    said go (and still in the socket's buffer) is not the one being timed."""
    assert stream.reader is not None
    try:
        while True:
            seen = await stream.reader.readuntil(b"event: alert")
            marker = seen.rfind(b"id: ")
            if marker >= 0 and int(seen[marker + 4 :].split(b"\n", 1)[0]) > after:
                break
    except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return
    stream.received = time.time()


async def main(host: str, port: int, path: str, count: int, wait: float) -> None:
    streams = [Stream() for _ in range(count)]
    gate = asyncio.Semaphore(OPENING_AT_ONCE)

    async def opened(stream: Stream) -> str:
        async with gate:
            return await open_stream(host, port, path, stream)

    started = time.monotonic()
    outcomes = await asyncio.gather(*(opened(s) for s in streams))
    live = [s for s, outcome in zip(streams, outcomes, strict=True) if outcome == "ready"]
    refused = Counter(o for o in outcomes if o not in ("ready", "failed"))
    say(
        {
            "ready": len(live),
            "refused": dict(refused),
            "failed": outcomes.count("failed"),
            "open_seconds": time.monotonic() - started,
        }
    )
    loop = asyncio.get_running_loop()
    after = int((await loop.run_in_executor(None, sys.stdin.readline)).split()[1])  # "go N"
    waiting = [asyncio.ensure_future(wait_for_alert(s, after)) for s in live]
    await asyncio.wait(waiting, timeout=wait)
    received = [s.received for s in live if s.received is not None]
    say({"received": received, "missing": len(live) - len(received)})
    for stream in streams:
        if stream.writer is not None:
            stream.writer.close()


def say(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def raise_open_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--wait", type=float, default=30.0)
    options = parser.parse_args()
    raise_open_file_limit()
    asyncio.run(main(options.host, options.port, options.path, options.count, options.wait))
