"""Every anonymous write declares its rate limit, as every route declares its policy.

A public route that writes takes `Annotated[Limit, Depends(RateLimited("rule"))]` and calls
`limit.check(source)` with the source it can hold the request to (`vecinos.ratelimit`). The app
factory refuses to start when a public write declares none (`check_every_public_write_is_limited`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from fastapi.dependencies.models import Dependant
from fastapi.routing import RouteContext
from starlette.concurrency import run_in_threadpool

from vecinos.ratelimit import RateLimits, Refusal, too_many
from vecinos.web.deps import ContextDep
from vecinos.web.policy import Anonymous, Public, api_only, policy_of

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class UnlimitedWriteError(RuntimeError):
    """A public route that writes was registered without a rate limit."""


@dataclass(frozen=True)
class Limit:
    """One rule of the app's limits, for this request's moment."""

    limits: RateLimits
    rule: str
    now: datetime

    def check(self, source: str) -> None:
        """429 when `source`, or everyone together, has used up the rule."""
        self.limits.check(self.rule, source, self.now)

    def refusal(self, source: str) -> Refusal | None:
        """What `check` would raise, for a route that answers a refusal its own way."""
        return self.limits.refusal(self.rule, source, self.now)

    async def acheck(self, source: str) -> None:
        """`check` for a coroutine: buckets kept in the database are taken in a thread, so the
        event loop serves others while the row is locked."""
        if refused := await self.arefusal(source):
            raise too_many(refused)

    async def arefusal(self, source: str) -> Refusal | None:
        """`refusal` for a coroutine (see `acheck`)."""
        if self.limits.in_database:
            return await run_in_threadpool(self.refusal, source)
        return self.refusal(source)

    def of(self, rule: str) -> Limit:
        """Another rule for the same request (a route whose rule depends on what it is sent)."""
        return Limit(self.limits, rule, self.now)


class RateLimited:
    def __init__(self, rule: str) -> None:
        self.rule = rule

    async def __call__(self, context: ContextDep) -> Limit:
        return Limit(context.limits, self.rule, context.clock.now())


def _limits_in(dependant: Dependant) -> Iterator[RateLimited]:
    if isinstance(dependant.call, RateLimited):
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _limits_in(sub)


def limit_of(route: RouteContext) -> RateLimited | None:
    return next(_limits_in(route.dependant), None)


def unlimited_public_writes(routes: Iterable[RouteContext]) -> list[str]:
    found = []
    for route in api_only(routes):
        writes = WRITES & set(route.methods or ())
        public = isinstance(policy_of(route), Public | Anonymous)
        if writes and public and limit_of(route) is None:
            found.append(f"{','.join(sorted(writes))} {route.path}")
    return found


def check_every_public_write_is_limited(routes: Iterable[RouteContext]) -> None:
    missing = unlimited_public_writes(routes)
    if missing:
        raise UnlimitedWriteError(
            "These public routes write without a rate limit (vecinos.web.limits): "
            + "; ".join(missing)
        )
