"""Public feeds of active alerts (JSON, Atom, GeoJSON) and their Server-Sent Events stream.

Public: anyone may read them, no account, no cookie needed. Coarse places only (feeds.py).
The caller's address is never read or kept.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session, sessionmaker
from sse_starlette import EventSourceResponse

from vecinos.alerts import cap, feeds
from vecinos.alerts.announcer import announcer
from vecinos.errors import NotFound
from vecinos.i18n import N_
from vecinos.web import sse
from vecinos.web.deps import AppContext, ContextDep, LanguageDep, PathId, ReadDbDep
from vecinos.web.openapi import answers_in, events_stream
from vecinos.web.policy import ANONYMOUS
from vecinos.web.prerender import Kept, Rendered, conditional, get_and_head, language_vary

router = APIRouter(prefix="/api/alerts", tags=["alerts"], dependencies=[ANONYMOUS.dependency()])
# How long a browser or a shared cache (a reverse proxy, a CDN) may keep a feed or the alerts
# page: long enough that a raid-day spike is answered by the cache, short enough that a new
# alert is on every copy within seconds (open pages hear it sooner, over the stream). A
# stale copy may be served for a little longer while the cache asks us again.
CACHE_CONTROL = "public, max-age=10, stale-while-revalidate=20"
ATOM = "application/atom+xml"
GEOJSON = "application/geo+json"


def snapshot_of(context: AppContext) -> feeds.Snapshot:
    with context.reads() as db:
        return feeds.snapshot(db, context.clock.now())


def rendered(snapshot: feeds.Snapshot, body: bytes, media_type: str) -> Rendered:
    return Rendered(body, media_type, snapshot.changed_at, snapshot.next_expiry)


async def kept_answer(
    request: Request,
    context: AppContext,
    key: tuple[str, str],
    render: Callable[[], Rendered],
    vary: tuple[str, ...],
) -> Response:
    return await context.public_bodies.answer(
        request, key, render, vary=vary, cache_control=CACHE_CONTROL
    )


@get_and_head(router, "/feed.json")
async def feed_json(request: Request, context: ContextDep, language: LanguageDep) -> Response:
    def render() -> Rendered:
        now = snapshot_of(context)
        body = {
            "title": f"{context.settings.coalition_name}: alerts",
            "language": language,
            "alerts": [feeds.public_dict(a, language) for a in now.items],
        }
        return rendered(now, json.dumps(body).encode(), "application/json")

    vary = language_vary(request)
    return await kept_answer(request, context, ("feed.json", language), render, vary)


@get_and_head(
    router,
    "/feed.atom",
    response_class=Response,
    responses=answers_in(ATOM, "Active alerts as an Atom feed, in the asked language."),
)
async def feed_atom(request: Request, context: ContextDep, language: LanguageDep) -> Response:
    def render() -> Rendered:
        now = snapshot_of(context)
        body = feeds.atom(now.items, language, context.settings, now.updated)
        return rendered(now, body, ATOM)

    vary = language_vary(request)
    return await kept_answer(request, context, ("feed.atom", language), render, vary)


@get_and_head(
    router,
    "/feed.geojson",
    response_class=Response,
    responses=answers_in(GEOJSON, "Active alerts' zones as a FeatureCollection.", type="object"),
)
async def feed_geojson(request: Request, context: ContextDep, language: LanguageDep) -> Response:
    def render() -> Rendered:
        now = snapshot_of(context)
        body = json.dumps(feeds.geojson(now.items, language)).encode()
        return rendered(now, body, GEOJSON)

    vary = language_vary(request)
    return await kept_answer(request, context, ("feed.geojson", language), render, vary)


@get_and_head(
    router,
    "/feed.cap",
    response_class=Response,
    responses=answers_in(ATOM, "Active alerts as OASIS CAP 1.2 entries of an Atom feed."),
)
async def feed_cap(request: Request, context: ContextDep) -> Response:
    """Active alerts in OASIS CAP 1.2, one per Atom entry, every language of each."""

    def render() -> Rendered:
        now = snapshot_of(context)
        return rendered(now, cap.feed(now.items, context.settings, now.updated), ATOM)

    return await kept_answer(request, context, ("feed.cap", ""), render, ())


@get_and_head(router, "/{alert_id}.cap")
def alert_cap(request: Request, alert_id: PathId, db: ReadDbDep, context: ContextDep) -> Response:
    """One alert as a CAP 1.2 document (the address `<references>` and feed entries use):
    rendered per request (any alert, however old, may be asked for), answered conditionally."""
    found = feeds.one(db, alert_id)
    if found is None:
        raise NotFound(N_("No alert has this number."), code="alert_not_found")
    body = cap.document(found, context.settings)
    kept = Kept.of(0, Rendered(body, cap.MEDIA_TYPE, found.alert.created_at))
    return conditional(request, kept, vary=(), cache_control=CACHE_CONTROL)


@router.get(
    "/stream",
    response_class=Response,
    responses=events_stream("Server-sent events: `ready`, then one `alert` per new alert."),
)
async def stream(language: LanguageDep, context: ContextDep) -> EventSourceResponse:
    """One `alert` event per alert published after the reader connected, by any process."""
    seconds = float(context.settings.incident_stream_seconds)
    return context.streams.response(_events(language, seconds, context.reads))


async def _events(
    language: str, seconds: float, sessions: sessionmaker[Session]
) -> AsyncIterator[sse.Chunk]:
    listener = announcer(sessions).join(language, seconds)
    try:
        yield sse.READY  # listening from here on
        while (chunk := await listener.next()) is not None:
            yield chunk  # the alert's event, written once for every page in this language
    finally:
        listener.leave()
