"""In-process token buckets for public intake: one per source, one for everybody.

Enough for one process; several app processes each keep their own buckets, so the effective
global limit is multiplied by the process count (documented in the settings).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from math import ceil

MAX_BUCKETS = 100_000  # full buckets are forgotten first when this many sources are tracked


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """`capacity` tokens per key, refilled at `per_second`; `take` says how long to wait."""

    def __init__(self, capacity: float, per_second: float) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: datetime) -> int:
        """0 when a token was taken, else the whole seconds until one will be there."""
        t = now.timestamp()
        with self._lock:
            bucket = self._refilled(key, t)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0
            return max(1, ceil((1 - bucket.tokens) / self.per_second))

    def _refilled(self, key: str, t: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_BUCKETS:
                self._forget_full(t)
            bucket = self._buckets[key] = _Bucket(self.capacity, t)
        elapsed = max(0.0, t - bucket.at)
        bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.per_second)
        bucket.at = t
        return bucket

    def _forget_full(self, t: float) -> None:
        for key, bucket in list(self._buckets.items()):
            if bucket.tokens + (t - bucket.at) * self.per_second >= self.capacity:
                del self._buckets[key]
        if len(self._buckets) >= MAX_BUCKETS:  # still full of busy sources: start over
            self._buckets.clear()


class IntakeLimits:
    """The two limits public intake checks, per source first so one flood cannot starve all."""

    GLOBAL_KEY = "*"

    def __init__(self, per_source_per_minute: int, global_per_second: int) -> None:
        self.per_source = TokenBuckets(per_source_per_minute, per_source_per_minute / 60)
        self.everyone = TokenBuckets(global_per_second, global_per_second)

    def wait_seconds(self, source_hash: str, now: datetime) -> tuple[str, int]:
        """("", 0) to go on, else which limit was hit and how long to wait."""
        wait = self.per_source.take(source_hash, now)
        if wait:
            return "source", wait
        wait = self.everyone.take(self.GLOBAL_KEY, now)
        return ("global", wait) if wait else ("", 0)
