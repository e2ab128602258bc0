"""ALERTAS / ALERTS <ZIP code or neighbourhood> [language] and ZONAS / ZONES by text.

The place is looked up in the gazetteer: a neighbourhood subscribes to that zone, a ZIP code
or a landmark to a circle around it. The texted request is the opt-in (the phone proved it
holds the number by texting). A request by WhatsApp subscribes the number on WhatsApp, apart
from any SMS subscription of the same number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos import keyring
from vecinos.alerts import areas, subscriptions
from vecinos.alerts.areas import Area
from vecinos.alerts.contacts import Contact
from vecinos.alerts.models import AreaKind, Subscription, SubscriptionStatus
from vecinos.alerts.optin import interface_language
from vecinos.config import Settings
from vecinos.errors import AppError
from vecinos.geo.gazetteer import NamedPlace, public_place, search_places
from vecinos.geo.models import Zone
from vecinos.hotline import words
from vecinos.i18n import gettext, is_language

ALERTS_WORDS = {"ALERTS": "en", "ALERTAS": "es"}
ZONES_WORDS = {"ZONES": "en", "ZONAS": "es"}
# A language named at the end of ALERTAS: its code, or its name in English or Spanish.
LANGUAGE_NAMES = {
    "ENGLISH": "en",
    "INGLES": "en",
    "INGLÉS": "en",
    "SPANISH": "es",
    "ESPANOL": "es",
    "ESPAÑOL": "es",
}
CIRCLE_RADIUS_M = 2000  # around a ZIP code's or a landmark's point
MAX_LANGUAGE_CODE = 3


def subscribe(
    db: Session, texter: Contact, keyword: str, rest: str, *, now: datetime, settings: Settings
) -> str:
    """Subscribe the number, on the channel it texted by, to the named place; the reply says to
    what, or how to ask."""
    language = ALERTS_WORDS[keyword]
    query, asked_language = split_language(rest)
    reply_language = interface_language(asked_language or language)
    found = search_places(db, query, 1, area_geojson=settings.service_area_geojson) if query else []
    if not found:
        return words.say(reply_language, words.ALERTS_HOW, settings)
    place = found[0]
    try:
        subscriptions.subscribe_by_text(
            db,
            texter,
            _area_of(db, place),
            asked_language or language,
            now=now,
            settings=settings,
            vault=keyring.subscribers(settings),
        )
    except AppError:
        return words.say(reply_language, words.ALERTS_HOW, settings)
    return words.say(reply_language, words.ALERTS_ON, settings, area=place.name)


def zones(db: Session, texter: Contact, keyword: str, *, settings: Settings) -> str:
    """What the number is subscribed to on the channel it texted by, in the words of the
    gazetteer."""
    subscription = subscriptions.texter_subscription(db, texter, settings)
    if subscription is None or subscription.status != SubscriptionStatus.ACTIVE:
        return words.say(ZONES_WORDS[keyword], words.ZONES_NONE, settings)
    language = interface_language(subscription.language)
    names = ", ".join(_area_names(db, subscription, language))
    return words.say(language, words.ZONES_LIST, settings, areas=names)


def split_language(rest: str) -> tuple[str, str | None]:
    """ "Boyle Heights es" → ("Boyle Heights", "es"); a last word that names no language stays."""
    parts = rest.split()
    if len(parts) < 2:
        return rest.strip(), None
    last = parts[-1].upper()
    code = LANGUAGE_NAMES.get(last)
    if code is None and len(last) <= MAX_LANGUAGE_CODE and is_language(last.lower()):
        code = last.lower()
    if code is None:
        return rest.strip(), None
    return " ".join(parts[:-1]), code


def _area_of(db: Session, place: NamedPlace) -> Area:
    if place.kind == "zone" and place.zone_id is not None:
        return areas.zones(db, [place.zone_id])
    return areas.circle(place.lat, place.lon, CIRCLE_RADIUS_M)


def _area_names(db: Session, subscription: Subscription, language: str) -> list[str]:
    if subscription.area_kind == AreaKind.ZONES:
        ids = subscription.zone_ids or []
        return list(db.scalars(select(Zone.name).where(Zone.id.in_(ids)).order_by(Zone.name)))
    assert subscription.lat is not None  # a circle has its centre
    assert subscription.lon is not None
    label = public_place(db, subscription.lat, subscription.lon).label() or "?"
    km = f"{(subscription.radius_m or 0) / 1000:g}"
    return [gettext(language, words.AROUND).format(km=km, place=label)]
