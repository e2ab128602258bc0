"""Public feeds of active alerts (JSON, Atom, GeoJSON) and their Server-Sent Events stream.

Public: anyone may read them, no account, no cookie needed. Coarse places only (feeds.py).
The caller's address is never read or kept.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker
from sse_starlette import EventSourceResponse

from vecinos import events
from vecinos.alerts import cap, feeds
from vecinos.errors import NotFound
from vecinos.i18n import N_
from vecinos.web import sse
from vecinos.web.deps import ContextDep, LanguageDep, PathId, ReadDbDep
from vecinos.web.policy import PUBLIC

router = APIRouter(prefix="/api/alerts", tags=["alerts"], dependencies=[PUBLIC.dependency()])
# Feeds may be cached briefly by a proxy or a read replica's front; alerts are minutes-long.
CACHE = {"Cache-Control": "public, max-age=15"}


@router.get("/feed.json")
def feed_json(db: ReadDbDep, context: ContextDep, language: LanguageDep) -> Response:
    alerts = feeds.active(db, context.clock.now())
    body: dict[str, Any] = {
        "title": f"{context.settings.coalition_name}: alerts",
        "language": language,
        "alerts": [feeds.public_dict(a, language) for a in alerts],
    }
    return Response(json.dumps(body), media_type="application/json", headers=CACHE)


@router.get("/feed.atom")
def feed_atom(db: ReadDbDep, context: ContextDep, language: LanguageDep) -> Response:
    now = context.clock.now()
    body = feeds.atom(feeds.active(db, now), language, context.settings, now)
    return Response(body, media_type="application/atom+xml", headers=CACHE)


@router.get("/feed.geojson")
def feed_geojson(db: ReadDbDep, context: ContextDep, language: LanguageDep) -> Response:
    body = feeds.geojson(feeds.active(db, context.clock.now()), language)
    return Response(json.dumps(body), media_type="application/geo+json", headers=CACHE)


@router.get("/feed.cap")
def feed_cap(db: ReadDbDep, context: ContextDep) -> Response:
    """Active alerts in OASIS CAP 1.2, one per Atom entry, every language of each."""
    now = context.clock.now()
    body = cap.feed(feeds.active(db, now), context.settings, now)
    return Response(body, media_type="application/atom+xml", headers=CACHE)


@router.get("/{alert_id}.cap")
def alert_cap(alert_id: PathId, db: ReadDbDep, context: ContextDep) -> Response:
    """One alert as a CAP 1.2 document (the address `<references>` and feed entries use)."""
    found = feeds.one(db, alert_id)
    if found is None:
        raise NotFound(N_("No alert has this number."), code="alert_not_found")
    return Response(cap.document(found, context.settings), media_type=cap.MEDIA_TYPE, headers=CACHE)


@router.get("/stream")
async def stream(language: LanguageDep, context: ContextDep) -> EventSourceResponse:
    """One `alert` event per alert published after the reader connected, by any process."""
    seconds = float(context.settings.incident_stream_seconds)
    return context.streams.response(_events(language, seconds, context.reads))


async def _events(
    language: str, seconds: float, sessions: sessionmaker[Session]
) -> AsyncIterator[sse.Chunk]:
    subscription = events.hub.subscribe(events.Topic.ALERTS)
    deadline = asyncio.get_running_loop().time() + seconds
    try:
        yield sse.READY  # listening from here on
        while (event := await subscription.get_until(deadline)) is not None:
            if event.payload == events.RESYNC:
                yield sse.READY  # alerts may have gone by unheard: the page reloads its list
            elif (
                data := await announced.text(sessions, int(event.payload["alert_id"]), language)
            ) is not None:
                yield sse.event("alert", data, id=str(event.payload["alert_id"]))
    finally:
        subscription.close()


class Announced:
    """The alerts the stream announces, each loaded once per event loop however many readers
    wait for it, and written out once per language: ten thousand open pages make one query
    and a few JSON documents, not ten thousand of each."""

    KEEP = 64

    def __init__(self) -> None:
        self._loads: OrderedDict[tuple[int, int], asyncio.Future[feeds.Listed | None]] = (
            OrderedDict()
        )
        self._texts: OrderedDict[tuple[int, int, str], str] = OrderedDict()

    async def text(
        self, sessions: sessionmaker[Session], alert_id: int, language: str
    ) -> str | None:
        """The alert's public JSON in `language`, or None when there is no such alert."""
        key = (id(asyncio.get_running_loop()), alert_id, language)
        if (known := self._texts.get(key)) is not None:
            return known
        alert = await self.get(sessions, alert_id)
        if alert is None:
            return None
        text = self._texts[key] = json.dumps(feeds.public_dict(alert, language))
        while len(self._texts) > self.KEEP:
            self._texts.popitem(last=False)
        return text

    async def get(self, sessions: sessionmaker[Session], alert_id: int) -> feeds.Listed | None:
        key = (id(asyncio.get_running_loop()), alert_id)
        load = self._loads.get(key)
        if load is None:
            load = self._loads[key] = asyncio.ensure_future(
                run_in_threadpool(_load, sessions, alert_id)
            )
            while len(self._loads) > self.KEEP:
                self._loads.popitem(last=False)
        return await asyncio.shield(load)


def _load(sessions: sessionmaker[Session], alert_id: int) -> feeds.Listed | None:
    with sessions() as db:
        return feeds.one(db, alert_id)


announced = Announced()
