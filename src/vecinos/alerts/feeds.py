"""The public read side: active alerts as JSON, Atom and GeoJSON, and a live stream of new ones.

Only what an alert already holds is shown: its kind and label, the scrubbed texts, the named
place, the coarse public point. Never the incident's exact position, who published it, or how
many people it reached. An unconfirmed notice says so in its label and its text.

An incident's alerts are one thread: the newest is its current state, and every earlier one
is marked `superseded` (by an update or a confirmation) or `cancelled` (by a rumour-control
notice or an all-clear), with the id of the alert that replaced it. A thread is named by its
first alert's id, never by the incident's (which would tell how many reports came in).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vecinos import events
from vecinos.alerts.models import AlertKind
from vecinos.alerts.outbox_models import Alert
from vecinos.alerts.outgoing import text_for
from vecinos.config import Settings
from vecinos.geo.gazetteer import PublicPlace

FEED_LIMIT = 200
CLOSING = frozenset({AlertKind.RUMOUR_CONTROL.value, AlertKind.ALL_CLEAR.value})
CURRENT, SUPERSEDED, CANCELLED = "current", "superseded", "cancelled"
LABELS = {
    AlertKind.CONFIRMED: "confirmed",
    AlertKind.UNCONFIRMED: "unconfirmed: being checked",
    AlertKind.UPDATE: "update",
    AlertKind.RUMOUR_CONTROL: "rumour control: not confirmed",
    AlertKind.ALL_CLEAR: "all clear",
}
ATOM = "http://www.w3.org/2005/Atom"
LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


@dataclass(frozen=True)
class Earlier:
    id: int
    created_at: datetime


@dataclass(frozen=True)
class Listed:
    """One alert as the public sees it: where it stands in its incident's thread."""

    alert: Alert
    status: str  # current, superseded or cancelled
    thread: int  # the id of the incident's first alert
    replaced_by: int | None  # the alert that superseded or cancelled this one
    earlier: tuple[Earlier, ...]  # the thread's alerts before this one, oldest first


def active(db: Session, now: datetime, limit: int = FEED_LIMIT) -> list[Listed]:
    """Alerts not yet expired, newest first, each with its place in its thread."""
    newest = (Alert.created_at.desc(), Alert.id.desc())
    query = select(Alert).where(Alert.expires_at > now).order_by(*newest)
    alerts = list(db.scalars(query.limit(limit)))
    threads = _threads(db, {a.incident_id for a in alerts})
    return [listed(alert, threads[alert.incident_id]) for alert in alerts]


@dataclass(frozen=True)
class Snapshot:
    """The active alerts at one moment, with when what they show last changed and when it
    changes next by itself (the first of them expires): what a kept copy needs to know."""

    items: list[Listed]
    now: datetime
    changed_at: datetime | None  # the newest alert, or the last expiry, whichever is later
    next_expiry: datetime | None

    @property
    def updated(self) -> datetime:
        return self.changed_at or self.now


def snapshot(db: Session, now: datetime) -> Snapshot:
    items = active(db, now)
    newest = db.scalar(select(func.max(Alert.created_at)))
    expired = db.scalar(select(func.max(Alert.expires_at)).where(Alert.expires_at <= now))
    changed_at = max((t for t in (newest, expired) if t is not None), default=None)
    next_expiry = min((i.alert.expires_at for i in items), default=None)
    return Snapshot(items, now, changed_at, next_expiry)


def one(db: Session, alert_id: int) -> Listed | None:
    """Any alert by its id, expired or not, in its thread (for links that outlive it)."""
    alert = db.get(Alert, alert_id)
    if alert is None:
        return None
    return listed(alert, _threads(db, {alert.incident_id})[alert.incident_id])


def _threads(db: Session, incident_ids: set[int]) -> dict[int, list[tuple[int, datetime, str]]]:
    """Every alert of these incidents (expired ones too), oldest first: (id, time, kind)."""
    found: dict[int, list[tuple[int, datetime, str]]] = {i: [] for i in incident_ids}
    if incident_ids:
        rows = db.execute(
            select(Alert.incident_id, Alert.id, Alert.created_at, Alert.kind)
            .where(Alert.incident_id.in_(incident_ids))
            .order_by(Alert.created_at, Alert.id)
        )
        for incident_id, id_, created_at, kind in rows:
            found[incident_id].append((id_, created_at, str(kind)))
    return found


def listed(alert: Alert, thread: list[tuple[int, datetime, str]]) -> Listed:
    ids = [id_ for id_, _, _ in thread]
    position = ids.index(alert.id) if alert.id in ids else len(ids) - 1
    earlier = tuple(Earlier(id_, at) for id_, at, _ in thread[:position])
    last_id, _, last_kind = thread[-1]
    if last_id == alert.id:
        return Listed(alert, CURRENT, ids[0], None, earlier)
    status = CANCELLED if last_kind in CLOSING else SUPERSEDED
    return Listed(alert, status, ids[0], thread[position + 1][0], earlier)


def public_dict(item: Listed, language: str) -> dict[str, Any]:
    alert = item.alert
    kind = AlertKind(alert.kind)
    used, text = text_for(alert, language)
    place = PublicPlace.from_dict(alert.place)
    return {
        "id": alert.id,
        "kind": kind.value,
        "label": LABELS[kind],
        "unconfirmed": kind is AlertKind.UNCONFIRMED,
        "status": item.status,
        "thread": item.thread,
        "replaced_by": item.replaced_by,
        "supersedes": [e.id for e in item.earlier],
        "language": used,
        "text": text,
        "short_text": alert.subjects.get(used) or alert.subjects.get("en", ""),
        "texts": dict(alert.texts),
        "place": place.label() or None,
        "links": LINK.findall(text),
        "activity": alert.activity,
        "location": {"lat": alert.public_lat, "lon": alert.public_lon, "precision": "coarse"},
        "published_at": _iso(alert.created_at),
        "expires_at": _iso(alert.expires_at),
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def geojson(items: Sequence[Listed], language: str) -> dict[str, Any]:
    features = []
    for item in items:
        properties = public_dict(item, language)
        del properties["location"]
        point = {"type": "Point", "coordinates": [item.alert.public_lon, item.alert.public_lat]}
        features.append({"type": "Feature", "geometry": point, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def atom(items: Sequence[Listed], language: str, settings: Settings, now: datetime) -> bytes:
    base = settings.public_url.rstrip("/")
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "id").text = f"{base}/api/alerts/feed.atom"
    ET.SubElement(feed, "title").text = f"{settings.coalition_name}: alerts"
    updated = max((i.alert.created_at for i in items), default=now)
    ET.SubElement(feed, "updated").text = _iso(updated)
    ET.SubElement(feed, "link", rel="self", href=f"{base}/api/alerts/feed.atom?lang={language}")
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = settings.coalition_name
    for item in items:
        shown = public_dict(item, language)
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "id").text = f"{base}/api/alerts/{item.alert.id}"
        marker = "" if item.status == CURRENT else f"[{item.status}] "
        ET.SubElement(entry, "title").text = f"{marker}[{shown['label']}] {shown['short_text']}"
        ET.SubElement(entry, "updated").text = shown["published_at"]
        ET.SubElement(entry, "published").text = shown["published_at"]
        ET.SubElement(entry, "category", term=shown["kind"], label=shown["label"])
        ET.SubElement(entry, "category", term=item.status, scheme=f"{base}/api/alerts/status")
        for link in shown["links"]:
            ET.SubElement(entry, "link", rel="related", href=link)
        ET.SubElement(entry, "content", type="text").text = shown["text"]
    body: bytes = ET.tostring(feed, encoding="unicode").encode()
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


# ---- the live stream: new alerts, once their transaction has committed ----------------------


def note_published(db: Session, alert: Alert) -> None:
    """Announce `alert` to every process's open alerts pages when `db` commits. The event
    carries its id alone; each process loads the alert once for all its readers."""
    events.emit(db, events.Topic.ALERTS, {"alert_id": alert.id})
