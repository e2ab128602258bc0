"""Rate limits for every anonymous write, behind one small interface: `RateLimits.check`.

Each kind of write has a rule: limits per *source* (what the request is about and can be held
to: a device token's daily hash, a report's status token, the contact a code is sent to)
and ceilings for *everyone* together, so one source cannot starve the rest and all of them
together cannot exhaust what is behind (a carrier's bill, the CPU decoding photos).
No rule reads the caller's address: none reaches this code.

Where the buckets live follows the database: on SQLite one process serves, and they live in
its memory; on PostgreSQL, where several web processes serve one deployment, they live in the
database (`vecinos.limits`, one short transaction per check), so a ceiling holds for the
deployment, not for each process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from math import ceil

from sqlalchemy.orm import Session, sessionmaker

from vecinos import limits
from vecinos.config import Settings
from vecinos.db import commit_without_flush_to_disk
from vecinos.errors import TooManyRequests
from vecinos.i18n import N_

MAX_BUCKETS = 100_000  # full buckets are forgotten first when this many sources are tracked
MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0


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


class SharedBuckets:
    """`TokenBuckets` kept in the database, for every process of a deployment at once."""

    def __init__(
        self, sessions: sessionmaker[Session], name: str, capacity: float, per_second: float
    ) -> None:
        self.sessions = sessions
        self.name = name
        self.capacity = capacity
        self.per_second = per_second

    def take(self, key: str, now: datetime) -> int:
        """0 when a token was taken, else the whole seconds until one will be there."""
        with self.sessions.begin() as db:
            # A crash may lose the last tokens taken. Waiting for the disk here cost a flush
            # per request, two more for each report the intake writer admits.
            commit_without_flush_to_disk(db)
            granted, wait = limits.take(
                db,
                limits.bucket_key(self.name, key),
                rate=self.per_second,
                burst=self.capacity,
                want=1,
                now=now,
            )
        return 0 if granted else max(1, ceil(wait))


Buckets = TokenBuckets | SharedBuckets


@dataclass(frozen=True)
class Rate:
    """`count` per `seconds`, taken as a burst of `count` refilled evenly."""

    count: float
    seconds: float

    def buckets(self, shared: sessionmaker[Session] | None = None, name: str = "") -> Buckets:
        if shared is not None:
            return SharedBuckets(shared, name, self.count, self.count / self.seconds)
        return TokenBuckets(self.count, self.count / self.seconds)


@dataclass(frozen=True)
class Rule:
    per_source: tuple[Rate, ...]
    everyone: tuple[Rate, ...]


def new_incidents_per_second(settings: Settings) -> float:
    """The share of the public intake ceiling reports that corroborate nothing may use."""
    share = 1 - settings.intake_corroboration_reserve
    return max(1.0, settings.intake_global_per_second * share)


def rules_from(settings: Settings) -> dict[str, Rule]:
    """Every anonymous write's rule. Token-gated writes (a code, a link, an invite) get plain
    ceilings: their tokens are unguessable, so the limit is about load, not guessing."""
    optin_ceiling = (
        Rate(settings.alert_optins_per_minute, MINUTE),
        Rate(settings.alert_optins_per_day, DAY),
    )
    token_gated = Rule((Rate(10, MINUTE),), (Rate(1200, MINUTE),))
    return {
        # Per device at the door; the ceiling for everyone is taken where the intake writer
        # knows whether a report corroborates an incident (`reports.capacity`): the others
        # may use all but the reserve, so a flood leaves room for reports that corroborate.
        "report": Rule((Rate(settings.intake_per_source_per_minute, MINUTE),), ()),
        "report-any": Rule((), (Rate(settings.intake_global_per_second, 1),)),
        "report-new": Rule((), (Rate(new_incidents_per_second(settings), 1),)),
        "report-photo": Rule(
            (Rate(settings.report_photos_max, MINUTE),),
            (Rate(settings.report_photos_per_minute, MINUTE),),
        ),
        # Each channel has its own ceilings: a flood of one cannot close the others.
        "opt-in:sms": Rule((), optin_ceiling),
        "opt-in:email": Rule((), optin_ceiling),
        "opt-in:push": Rule((), optin_ceiling),
        # How often one contact is sent a code: checked apart, as its refusal must not show.
        "opt-in-contact": Rule((Rate(settings.alert_optins_per_contact_per_hour, HOUR),), ()),
        "confirm": token_gated,
        "unsubscribe": token_gated,
        "invite": token_gated,
        "sign-in": Rule((Rate(20, MINUTE),), (Rate(1800, MINUTE),)),
        # Texts to our number (signed by the provider): 30 a minute from one number is a loop
        # with another machine, not a person. The ceiling for everyone is for a runaway, not
        # for residents: a broad alert to 50,000 may bring a reply from one in ten within the
        # minute. STOP is never held to either (the webhook does not ask): carriers require it.
        "inbound-sms": Rule(
            (Rate(30, MINUTE),), (Rate(settings.inbound_texts_per_minute, MINUTE),)
        ),
        # A resident's accompaniment request texts the contact it gives: a few per contact, so
        # nobody can make us flood someone else's phone.
        "accompaniment": Rule((Rate(3, HOUR),), (Rate(60, MINUTE),)),
        # The hotline's voice webhooks: a call takes a handful of steps (per caller or leg).
        "hotline-voice": Rule((Rate(60, MINUTE),), (Rate(6000, MINUTE),)),
        # Twilio's delivery reports: signed, and as many as the texts we send (per message id).
        "sms-status": Rule((Rate(20, MINUTE),), (Rate(200, 1),)),
    }


@dataclass(frozen=True)
class Refusal:
    which: str  # "source" or "global"
    wait: int  # seconds


class RateLimits:
    """The app's limits, one set of buckets per rule, made on first use of the rule."""

    def __init__(
        self,
        settings: Settings,
        rules: Callable[[Settings], dict[str, Rule]] = rules_from,
        *,
        shared: sessionmaker[Session] | None = None,
    ) -> None:
        """`shared`: the sessions of a database every process uses (buckets kept there)."""
        self.settings = settings
        self._rules = rules
        self._shared = shared
        self._buckets: dict[str, tuple[list[Buckets], list[Buckets]]] = {}
        self._lock = threading.Lock()

    @property
    def in_database(self) -> bool:
        """Each take is a transaction: a coroutine must not wait for it on the event loop."""
        return self._shared is not None

    def refusal(self, rule: str, source: str, now: datetime) -> Refusal | None:
        """None, with a token taken from every bucket; else which limit was hit and the wait.
        The source's own limits come first, so a refused flood takes nothing from everyone."""
        per_source, everyone = self._for(rule)
        for buckets in per_source:
            if wait := buckets.take(source, now):
                return Refusal("source", wait)
        for buckets in everyone:
            if wait := buckets.take("*", now):
                return Refusal("global", wait)
        return None

    def check(self, rule: str, source: str, now: datetime) -> None:
        """Raise 429 `rate_limited_source` or `rate_limited_global` when a limit is hit."""
        refused = self.refusal(rule, source, now)
        if refused is not None:
            raise too_many(refused)

    def _for(self, rule: str) -> tuple[list[Buckets], list[Buckets]]:
        with self._lock:
            found = self._buckets.get(rule)
            if found is None:
                made = self._rules(self.settings)[rule]
                shared = self._shared
                found = (
                    [r.buckets(shared, f"{rule}/s{i}") for i, r in enumerate(made.per_source)],
                    [r.buckets(shared, f"{rule}/e{i}") for i, r in enumerate(made.everyone)],
                )
                self._buckets[rule] = found
            return found


def too_many(refused: Refusal) -> TooManyRequests:
    """The 429 for a refusal: which limit was hit, and how long to wait."""
    return TooManyRequests(
        N_("Too many requests; try again in {seconds} seconds."),
        retry_after=refused.wait,
        code=f"rate_limited_{refused.which}",
    )
