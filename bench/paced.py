"""Load at an offered rate: requests leave on a fixed schedule whether or not earlier answers
have come back, and each latency counts from the moment its request was due.

A closed loop (N clients, each waiting for its answer before the next request) can only say
how fast a server goes flat out; at saturation its mean latency is N / throughput whatever
the server does. A target such as "300 replies/s with p99 ≤ 100 ms" asks something else: at
300 requests a second, how long does a person wait? Timing from the due moment, not from
when the client got round to sending, keeps a stalled server from hiding its stall (the
"coordinated omission" that wrk2 corrects for in the same way).

At a few hundred requests a second an aiohttp client costs a small share of one core; it is
no substitute for wrk flat out, which is why the closed-loop figures still come from wrk.
"""

from __future__ import annotations

import asyncio
import time
from statistics import quantiles
from typing import Any

import aiohttp

# (body, headers) of one request; the driver cycles through them.
Request = tuple[bytes, dict[str, str]]


def drive_at_rate(
    url: str,
    requests: list[Request],
    rate: float,
    seconds: float,
    warmup: float,
    *,
    method: str = "POST",
    connections: int = 512,
) -> dict[str, Any]:
    """Send `requests` in turn at `rate` per second for `warmup` + `seconds`, over at most
    `connections` kept-alive connections; only the measured window counts."""
    return asyncio.run(_drive(url, requests, rate, (seconds, warmup), method, connections))


async def _drive(
    url: str,
    requests: list[Request],
    rate: float,
    window: tuple[float, float],
    method: str,
    connections: int,
) -> dict[str, Any]:
    seconds, warmup = window
    latencies: list[float] = []
    failures: dict[str, int] = {}
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.perf_counter() + 0.05
        total = round(rate * (warmup + seconds))
        measured_from = round(rate * warmup)

        async def one(n: int) -> None:
            due = start + n / rate
            body, headers = requests[n % len(requests)]
            outcome = await _send(session, method, url, body, headers)
            if n < measured_from:
                return
            if outcome == "ok":
                latencies.append(time.perf_counter() - due)
            else:
                failures[outcome] = failures.get(outcome, 0) + 1

        tasks = []
        for n in range(total):
            await _until(start + n / rate)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
        finished = time.perf_counter()
    cuts = quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "offered_per_s": rate,
        "answered_per_s": len(latencies) / (finished - (start + measured_from / rate)),
        "requests": len(latencies),
        "errors": sum(failures.values()),
        "error_kinds": failures,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
        "max_ms": max(latencies, default=0.0) * 1000,
    }


async def _send(
    session: aiohttp.ClientSession, method: str, url: str, body: bytes, headers: dict[str, str]
) -> str:
    try:
        async with session.request(method, url, data=body or None, headers=headers) as answer:
            await answer.read()
            return "ok" if answer.status < 300 else str(answer.status)
    except (aiohttp.ClientError, TimeoutError) as error:
        return type(error).__name__


async def _until(moment: float) -> None:
    delay = moment - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)
