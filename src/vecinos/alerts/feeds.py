"""The public read side: active alerts as JSON, Atom and GeoJSON, and a live stream of new ones.

Only what an alert already holds is shown: its kind and label, the scrubbed texts, the coarse
public point. Never the incident's exact position, who published it, or how many people it
reached. An unconfirmed notice says so in its label and its text. An alert that a later
rumour-control or all-clear about the same incident has overtaken leaves the feed at once, and
an unconfirmed notice leaves it when the incident's confirmed alert arrives.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.alerts.models import AlertKind
from vecinos.alerts.outbox_models import Alert
from vecinos.alerts.outgoing import text_for
from vecinos.config import Settings
from vecinos.db import AtTransactionEnd

FEED_LIMIT = 200
CLOSING = frozenset({AlertKind.RUMOUR_CONTROL.value, AlertKind.ALL_CLEAR.value})
LABELS = {
    AlertKind.CONFIRMED: "confirmed",
    AlertKind.UNCONFIRMED: "unconfirmed: being checked",
    AlertKind.UPDATE: "update",
    AlertKind.RUMOUR_CONTROL: "rumour control: not confirmed",
    AlertKind.ALL_CLEAR: "all clear",
}
ATOM = "http://www.w3.org/2005/Atom"


def active(db: Session, now: datetime, limit: int = FEED_LIMIT) -> list[Alert]:
    """Alerts not yet expired, newest first, minus those a closing alert overtook."""
    query = select(Alert).where(Alert.expires_at > now).order_by(Alert.created_at.desc(), Alert.id)
    alerts = list(db.scalars(query.limit(limit)))
    closed = {a.incident_id for a in alerts if a.kind in CLOSING}
    confirmed = {a.incident_id for a in alerts if a.kind == AlertKind.CONFIRMED.value}
    return [
        a
        for a in alerts
        if a.kind in CLOSING
        or (a.incident_id not in closed and not _overtaken_notice(a, confirmed))
    ]


def _overtaken_notice(alert: Alert, confirmed: set[int]) -> bool:
    """An "unconfirmed, being checked" notice gives way once the incident is confirmed."""
    return alert.kind == AlertKind.UNCONFIRMED.value and alert.incident_id in confirmed


def public_dict(alert: Alert, language: str) -> dict[str, Any]:
    kind = AlertKind(alert.kind)
    used, text = text_for(alert, language)
    return {
        "id": alert.id,
        "kind": kind.value,
        "label": LABELS[kind],
        "unconfirmed": kind is AlertKind.UNCONFIRMED,
        "language": used,
        "text": text,
        "texts": dict(alert.texts),
        "activity": alert.activity,
        "location": {"lat": alert.public_lat, "lon": alert.public_lon, "precision": "coarse"},
        "published_at": _iso(alert.created_at),
        "expires_at": _iso(alert.expires_at),
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def geojson(alerts: Sequence[Alert], language: str) -> dict[str, Any]:
    features = []
    for alert in alerts:
        properties = public_dict(alert, language)
        del properties["location"]
        point = {"type": "Point", "coordinates": [alert.public_lon, alert.public_lat]}
        features.append({"type": "Feature", "geometry": point, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def atom(alerts: Sequence[Alert], language: str, settings: Settings, now: datetime) -> bytes:
    base = settings.public_url.rstrip("/")
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "id").text = f"{base}/api/alerts/feed.atom"
    ET.SubElement(feed, "title").text = f"{settings.coalition_name}: alerts"
    updated = max((a.created_at for a in alerts), default=now)
    ET.SubElement(feed, "updated").text = _iso(updated)
    ET.SubElement(feed, "link", rel="self", href=f"{base}/api/alerts/feed.atom?lang={language}")
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = settings.coalition_name
    for alert in alerts:
        shown = public_dict(alert, language)
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "id").text = f"{base}/api/alerts/{alert.id}"
        ET.SubElement(entry, "title").text = f"[{shown['label']}] {shown['text'][:80]}"
        ET.SubElement(entry, "updated").text = shown["published_at"]
        ET.SubElement(entry, "published").text = shown["published_at"]
        ET.SubElement(entry, "category", term=shown["kind"], label=shown["label"])
        ET.SubElement(entry, "content", type="text").text = shown["text"]
    body: bytes = ET.tostring(feed, encoding="unicode").encode()
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


# ---- the live stream: new alerts, once their transaction has committed ----------------------

QUEUE_LIMIT = 100  # a reader that stops reading loses alerts rather than memory


class _Listener:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[Alert] = asyncio.Queue(QUEUE_LIMIT)
        self.loop = asyncio.get_running_loop()

    async def get(self, timeout: float) -> Alert | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


class AlertBroadcaster:
    """In-process, like the incident board's; LISTEN/NOTIFY can replace it for many processes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: set[_Listener] = set()

    def subscribe(self) -> _Listener:
        listener = _Listener()
        with self._lock:
            self._listeners.add(listener)
        return listener

    def forget(self, listener: _Listener) -> None:
        with self._lock:
            self._listeners.discard(listener)

    def publish(self, alert: Alert) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            if not listener.loop.is_closed():
                listener.loop.call_soon_threadsafe(_offer, listener.queue, alert)


def _offer(queue: asyncio.Queue[Alert], alert: Alert) -> None:
    if not queue.full():
        queue.put_nowait(alert)


broadcaster = AlertBroadcaster()


def note_published(db: Session, alert: Alert) -> None:
    """Stream `alert` when `db` commits: a detached copy, safe to read from any thread."""
    copy = Alert(**{column.key: getattr(alert, column.key) for column in Alert.__table__.columns})
    _published.add(db, copy)


def _stream(_: Session, alerts: list[Alert]) -> None:
    for alert in alerts:
        broadcaster.publish(alert)


_published = AtTransactionEnd[Alert]("alerts_to_stream", on_commit=_stream)
