"""Public answers rendered once per change instead of once per request, and answered
conditionally, so a reverse proxy or a CDN can absorb a raid-day spike.

A body is rendered (in a worker thread, by the route's own code) the first time it is asked
for after a change, then kept, with its gzip form, ETag and Last-Modified. It is kept until:

- an event of its topic is heard (`vecinos.events`): on PostgreSQL every process hears the
  `NOTIFY` of every other process once the publishing transaction commits, on SQLite the one
  process hears its own commits. Invalidating on the event, rather than asking the database
  for a version number on every request, keeps a cached answer free of any query;
- or the moment the route said its body changes by itself (an alert expiring);
- and never while this process may be missing events (its PostgreSQL listener is
  reconnecting): then every request renders afresh, as before this cache existed.

A generation counter closes the race between a rendering and an event: a body rendered from
a snapshot taken before the event is stamped with the older generation and never served.
Concurrent requests for a body being rendered wait for that one rendering.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from vecinos import events
from vecinos.clock import Clock

# Below this a gzip form saves less than its header costs; it also stays below the size at
# which the app's GZipMiddleware would compress an identity body again on every request.
GZIP_FROM_BYTES = 256
SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class Rendered:
    """What a route renders: its bytes and when they change."""

    body: bytes
    media_type: str
    last_modified: datetime | None  # the last change of what the body shows
    valid_until: datetime | None = None  # the body changes by itself then (an expiry)
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. a page's CSP


@dataclass(frozen=True)
class Variant:
    body: bytes
    etag: str


@dataclass(frozen=True)
class Kept:
    """One rendering, ready to answer: identity and gzip forms with their validators."""

    generation: int
    rendered: Rendered
    identity: Variant
    gzipped: Variant | None
    last_modified: str | None  # as HTTP writes it

    @classmethod
    def of(cls, generation: int, rendered: Rendered) -> Kept:
        tag = hashlib.blake2b(rendered.body, digest_size=16).hexdigest()
        gzipped = None
        if len(rendered.body) >= GZIP_FROM_BYTES:
            # mtime=0: the same bytes in every process, so their ETag is the same everywhere.
            packed = gzip.compress(rendered.body, compresslevel=9, mtime=0)
            gzipped = Variant(packed, f'"{tag}-gzip"') if len(packed) < len(rendered.body) else None
        modified = rendered.last_modified
        return cls(
            generation,
            rendered,
            Variant(rendered.body, f'"{tag}"'),
            gzipped,
            format_datetime(modified.astimezone(UTC), usegmt=True) if modified else None,
        )


class Prerendered:
    """Bodies kept per key (a route and a language) until an event of `topic` is heard."""

    def __init__(self, topic: events.Topic, clock: Clock, hears: Callable[[], bool]) -> None:
        self.clock = clock
        self._hears = hears
        self._changed = threading.Event()
        events.hub.wake_on(topic, self._changed)
        self._lock = threading.Lock()
        self._generation = 0
        self._kept: dict[Hashable, Kept] = {}
        self._renderings: dict[tuple[int, Hashable, int], asyncio.Future[Kept]] = {}

    @property
    def generation(self) -> int:
        """Bumped by every event heard since the last look."""
        with self._lock:
            if self._changed.is_set():
                self._changed.clear()
                self._generation += 1
            return self._generation

    async def answer(
        self,
        request: Request,
        key: Hashable,
        render: Callable[[], Rendered],
        *,
        vary: tuple[str, ...],
        cache_control: str,
    ) -> Response:
        kept = await self.get(key, render)
        return conditional(request, kept, vary=vary, cache_control=cache_control)

    async def get(self, key: Hashable, render: Callable[[], Rendered]) -> Kept:
        complete = self._hears()  # before the generation: events missed now may never come
        generation = self.generation
        kept = self._kept.get(key)
        if kept is not None and kept.generation == generation and self._still_valid(kept):
            return kept
        if not complete:
            return Kept.of(generation, await run_in_threadpool(render))
        return await self._render_once(key, generation, render)

    def _still_valid(self, kept: Kept) -> bool:
        until = kept.rendered.valid_until
        return until is None or self.clock.now() < until

    async def _render_once(
        self, key: Hashable, generation: int, render: Callable[[], Rendered]
    ) -> Kept:
        loop_key = (id(asyncio.get_running_loop()), key, generation)
        rendering = self._renderings.get(loop_key)
        if rendering is None:
            rendering = asyncio.ensure_future(run_in_threadpool(_kept, generation, render))
            self._renderings[loop_key] = rendering
            rendering.add_done_callback(lambda _: self._done(loop_key, key))
        return await asyncio.shield(rendering)

    def _done(self, loop_key: tuple[int, Hashable, int], key: Hashable) -> None:
        rendering = self._renderings.pop(loop_key)
        if not rendering.cancelled() and rendering.exception() is None:
            kept = rendering.result()
            if kept.generation == self.generation:  # no event heard while it rendered
                self._kept[key] = kept


def _kept(generation: int, render: Callable[[], Rendered]) -> Kept:
    return Kept.of(generation, render())


# ---- conditional answers ------------------------------------------------------------------


def conditional(
    request: Request, kept: Kept, *, vary: tuple[str, ...], cache_control: str
) -> Response:
    """200 with the body (none for HEAD), or 304 when the client's copy is current."""
    variant = kept.gzipped if kept.gzipped and accepts_gzip(request) else kept.identity
    headers = {**kept.rendered.headers, "ETag": variant.etag, "Cache-Control": cache_control}
    if kept.last_modified:
        headers["Last-Modified"] = kept.last_modified
    names = (*vary, "Accept-Encoding") if kept.gzipped else vary
    if names:
        headers["Vary"] = ", ".join(names)
    if request.method in SAFE_METHODS and not_modified(request, variant.etag, kept):
        return Response(status_code=304, headers=headers)
    if variant is not kept.identity:
        headers["Content-Encoding"] = "gzip"
    return Whole(variant.body, media_type=kept.rendered.media_type, headers=headers)


class Whole(Response):
    """A response whose HEAD carries the GET's headers, Content-Length included, and no body."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") == "HEAD":
            start = {"type": "http.response.start", "status": self.status_code}
            await send({**start, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await super().__call__(scope, receive, send)


def accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def not_modified(request: Request, etag: str, kept: Kept) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present (weak comparison); otherwise
    If-Modified-Since, to the second HTTP dates have."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    modified = kept.rendered.last_modified
    if since is None or modified is None:
        return False
    try:
        client_has = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as the RFC says
    if client_has.tzinfo is None:
        return False
    return modified.astimezone(UTC).replace(microsecond=0) <= client_has


def language_vary(request: Request) -> tuple[str, ...]:
    """What a body in the caller's language depends on: nothing when `?lang=` names it,
    else the language cookie and Accept-Language (`web.deps.get_language`)."""
    return () if request.query_params.get("lang") else ("Accept-Language", "Cookie")


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def get_and_head(router: APIRouter, path: str, **documented: Any) -> Callable[[Endpoint], Endpoint]:
    """Route GET and HEAD of `path` to one endpoint; HEAD kept out of the OpenAPI document,
    where it would repeat the GET's operation. `documented` goes to the GET (`responses=`)."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.head(path, include_in_schema=False)(endpoint)
        return router.get(path, **documented)(endpoint)

    return register
