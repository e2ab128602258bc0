"""Alerts in the Common Alerting Protocol (OASIS CAP 1.2), for partner systems.

One `<alert>` per published alert, one `<info>` per language it was written in. The CAP values
follow what volunteers know: a confirmed alert (or an update) is `Observed`, an unconfirmed
notice `Possible`, a rumour-control notice `Unlikely`; a follow-up is `Update`, and a
rumour-control notice or an all-clear `Cancel`, each with `<references>` to the incident's
earlier alerts. The area is the coarse public point as a `<circle>` and the gazetteer's name of
the place as `<areaDesc>`: never the exact position.

`feed` is an Atom feed whose entries carry the CAP alerts (the CAP feeds convention), and
`document` one alert on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from vecinos.alerts import texts
from vecinos.alerts.feeds import CURRENT, Listed
from vecinos.alerts.models import AlertKind
from vecinos.config import Settings
from vecinos.geo.gazetteer import PublicPlace

CAP = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/cap+xml"
# The public point is the centre of a coarse H3 cell (resolution 7, edges of about 1.2 km):
# a circle of 2 km holds the cell.
AREA_RADIUS_KM = 2.0
ET.register_namespace("cap", CAP)
ET.register_namespace("atom", ATOM)

K = AlertKind
# kind: (certainty, urgency, severity, responseType)
VALUES: dict[AlertKind, tuple[str, str, str, str]] = {
    K.CONFIRMED: ("Observed", "Immediate", "Moderate", "Monitor"),
    K.UPDATE: ("Observed", "Immediate", "Moderate", "Monitor"),
    K.UNCONFIRMED: ("Possible", "Expected", "Unknown", "Monitor"),
    K.RUMOUR_CONTROL: ("Unlikely", "Past", "Minor", "None"),
    K.ALL_CLEAR: ("Observed", "Past", "Minor", "AllClear"),
}
CANCELLING = frozenset({K.RUMOUR_CONTROL, K.ALL_CLEAR})


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: seconds and a numeric offset, never "Z" (the standard forbids it)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def sender(settings: Settings) -> str:
    return f"alerts@{_host(settings)}"


def identifier(settings: Settings, alert_id: int) -> str:
    """Unique to this deployment; no spaces, commas, '<' or '&', as CAP requires."""
    return f"{_host(settings)}-alert-{alert_id}"


def _host(settings: Settings) -> str:
    return urlsplit(settings.public_url).hostname or "vecinos.invalid"


def _q(name: str) -> str:
    return f"{{{CAP}}}{name}"


def _add(parent: ET.Element, name: str, value: str) -> ET.Element:
    child = ET.SubElement(parent, _q(name))
    child.text = value
    return child


def alert_element(item: Listed, settings: Settings) -> ET.Element:
    alert, kind = item.alert, AlertKind(item.alert.kind)
    root = ET.Element(_q("alert"))
    _add(root, "identifier", identifier(settings, alert.id))
    _add(root, "sender", sender(settings))
    _add(root, "sent", cap_time(alert.created_at))
    _add(root, "status", "Actual")
    _add(root, "msgType", _message_type(item, kind))
    _add(root, "scope", "Public")
    if item.earlier:
        quoted = (
            f"{sender(settings)},{identifier(settings, e.id)},{cap_time(e.created_at)}"
            for e in item.earlier
        )
        _add(root, "references", " ".join(quoted))
    for language in sorted(alert.texts):
        _info(root, item, language, settings)
    return root


def _message_type(item: Listed, kind: AlertKind) -> str:
    if not item.earlier:
        return "Alert"
    return "Cancel" if kind in CANCELLING else "Update"


def _info(root: ET.Element, item: Listed, language: str, settings: Settings) -> None:
    alert, kind = item.alert, AlertKind(item.alert.kind)
    words = texts.templates()[texts.template_language(language)]
    certainty, urgency, severity, response = VALUES[kind]
    info = ET.SubElement(root, _q("info"))
    _add(info, "language", language)
    _add(info, "category", "Safety")
    _add(info, "event", words.activities.full.get(alert.activity, words.activities.full["other"]))
    _add(info, "responseType", response)
    _add(info, "urgency", urgency)
    _add(info, "severity", severity)
    _add(info, "certainty", certainty)
    _add(info, "expires", cap_time(alert.expires_at))
    _add(info, "senderName", settings.coalition_name)
    short = alert.subjects.get(language) or alert.subjects.get("en")
    if short:
        _add(info, "headline", short)
    _add(info, "description", alert.texts[language])
    _add(info, "instruction", words.rights.full)
    _add(info, "web", texts.rights_link(settings, language))
    area = ET.SubElement(info, _q("area"))
    place = PublicPlace.from_dict(alert.place).label()
    _add(area, "areaDesc", place or f"{alert.public_lat:.2f},{alert.public_lon:.2f}")
    _add(area, "circle", f"{alert.public_lat:.5f},{alert.public_lon:.5f} {AREA_RADIUS_KM}")


def document(item: Listed, settings: Settings) -> bytes:
    body = ET.tostring(alert_element(item, settings), encoding="unicode")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body.encode()


def feed(items: Sequence[Listed], settings: Settings, now: datetime) -> bytes:
    """An Atom feed, newest first, each entry holding one CAP alert (and its own address)."""
    base = settings.public_url.rstrip("/")

    def add(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> None:
        child = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
        child.text = text

    root = ET.Element(f"{{{ATOM}}}feed")
    add(root, "id", f"{base}/api/alerts/feed.cap")
    add(root, "title", f"{settings.coalition_name}: alerts (CAP 1.2)")
    add(root, "updated", atom_time(max((i.alert.created_at for i in items), default=now)))
    add(root, "link", rel="self", href=f"{base}/api/alerts/feed.cap")
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    add(author, "name", settings.coalition_name)
    for item in items:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        address = f"{base}/api/alerts/{item.alert.id}.cap"
        add(entry, "id", address)
        headline = item.alert.subjects.get("en", "")
        marker = "" if item.status == CURRENT else f"[{item.status}] "
        add(entry, "title", marker + headline)
        add(entry, "updated", atom_time(item.alert.created_at))
        add(
            entry,
            "link",
            rel="alternate",
            type=MEDIA_TYPE,
            href=f"{base}/api/alerts/{item.alert.id}.cap",
        )
        content = ET.SubElement(entry, f"{{{ATOM}}}content", {"type": MEDIA_TYPE})
        content.append(alert_element(item, settings))
    body = ET.tostring(root, encoding="unicode")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body.encode()


def atom_time(moment: datetime) -> str:
    """Atom's time (RFC 3339)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
