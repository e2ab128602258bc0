"""Public feeds of active alerts (JSON, Atom, GeoJSON) and their Server-Sent Events stream.

Public: anyone may read them, no account, no cookie needed. Coarse places only (feeds.py).
The caller's address is never read or kept.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse

from vecinos.alerts import cap, feeds
from vecinos.errors import NotFound
from vecinos.i18n import N_
from vecinos.web import sse
from vecinos.web.deps import ContextDep, DbDep, LanguageDep, SettingsDep
from vecinos.web.policy import PUBLIC

router = APIRouter(prefix="/api/alerts", tags=["alerts"], dependencies=[PUBLIC.dependency()])
KEEPALIVE_SECONDS = 15.0
# Feeds may be cached briefly by a proxy or a read replica's front; alerts are minutes-long.
CACHE = {"Cache-Control": "public, max-age=15"}


@router.get("/feed.json")
def feed_json(db: DbDep, context: ContextDep, language: LanguageDep) -> Response:
    alerts = feeds.active(db, context.clock.now())
    body: dict[str, Any] = {
        "title": f"{context.settings.coalition_name}: alerts",
        "language": language,
        "alerts": [feeds.public_dict(a, language) for a in alerts],
    }
    return Response(json.dumps(body), media_type="application/json", headers=CACHE)


@router.get("/feed.atom")
def feed_atom(db: DbDep, context: ContextDep, language: LanguageDep) -> Response:
    now = context.clock.now()
    body = feeds.atom(feeds.active(db, now), language, context.settings, now)
    return Response(body, media_type="application/atom+xml", headers=CACHE)


@router.get("/feed.geojson")
def feed_geojson(db: DbDep, context: ContextDep, language: LanguageDep) -> Response:
    body = feeds.geojson(feeds.active(db, context.clock.now()), language)
    return Response(json.dumps(body), media_type="application/geo+json", headers=CACHE)


@router.get("/feed.cap")
def feed_cap(db: DbDep, context: ContextDep) -> Response:
    """Active alerts in OASIS CAP 1.2, one per Atom entry, every language of each."""
    now = context.clock.now()
    body = cap.feed(feeds.active(db, now), context.settings, now)
    return Response(body, media_type="application/atom+xml", headers=CACHE)


@router.get("/{alert_id}.cap")
def alert_cap(alert_id: int, db: DbDep, context: ContextDep) -> Response:
    """One alert as a CAP 1.2 document (the address `<references>` and feed entries use)."""
    found = feeds.one(db, alert_id)
    if found is None:
        raise NotFound(N_("No alert has this number."), code="alert_not_found")
    return Response(cap.document(found, context.settings), media_type=cap.MEDIA_TYPE, headers=CACHE)


@router.get("/stream")
async def stream(settings: SettingsDep, language: LanguageDep) -> StreamingResponse:
    """One `alert` event per alert published after the reader connected."""
    return StreamingResponse(
        _events(language, float(settings.incident_stream_seconds)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(language: str, seconds: float) -> AsyncIterator[str]:
    listener = feeds.broadcaster.subscribe()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    try:
        yield sse.READY  # listening from here on
        while (remaining := deadline - loop.time()) > 0:
            alert = await listener.get(min(remaining, KEEPALIVE_SECONDS))
            if alert is None:
                yield ": keep-alive\n\n"
            else:
                data = json.dumps(feeds.public_dict(alert, language))
                yield f"id: {alert.alert.id}\nevent: alert\ndata: {data}\n\n"
    finally:
        feeds.broadcaster.forget(listener)
