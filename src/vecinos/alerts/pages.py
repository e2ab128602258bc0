"""Residents' pages: active alerts (live), subscribe, confirm, unsubscribe. No account needed."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy import select

from vecinos.accounts.models import Organization
from vecinos.alerts import feeds
from vecinos.alerts.feed_routes import kept_answer, snapshot_of
from vecinos.geo.models import Zone
from vecinos.i18n import INTERFACE_LANGUAGES, N_, gettext
from vecinos.maps.view import map_view
from vecinos.web.deps import AppContext, ContextDep, DbDep, LanguageDep, SettingsDep
from vecinos.web.policy import ANONYMOUS
from vecinos.web.prerender import Rendered, get_and_head, language_vary
from vecinos.web.templating import render
from vecinos.words import KIND_LABELS

router = APIRouter(include_in_schema=False, dependencies=[ANONYMOUS.dependency()])
RADII_KM = (1, 2, 5, 10)
# Languages a resident may choose for alerts; texts missing in one fall back to English.
ALERT_LANGUAGES = {
    "en": "English",
    "es": "Español",
    "zh-Hans": "简体中文",
    "zh-Hant": "繁體中文",
    "ko": "한국어",
    "tl": "Tagalog",
    "vi": "Tiếng Việt",
    "hy": "Հայերեն",
    "fa": "فارسی",
    "ru": "Русский",
}


def kind_labels(language: str) -> dict[str, str]:
    return {kind: gettext(language, label) for kind, label in KIND_LABELS.items()}


STATUS_LABELS = {
    feeds.SUPERSEDED: N_("replaced by a later message"),
    feeds.CANCELLED: N_("withdrawn by a later message"),
}


def status_labels(language: str) -> dict[str, str]:
    return {status: gettext(language, label) for status, label in STATUS_LABELS.items()}


def linkify(text: str) -> Markup:
    """The text, escaped, with its web addresses as links people can follow."""
    out, last = [], 0
    for match in feeds.LINK.finditer(text):
        out += [escape(text[last : match.start()]), _anchor(match.group())]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _anchor(url: str) -> Markup:
    return Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(url)


def threads(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per incident: its current alert, with the earlier ones (newest first)."""
    history: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        if item["status"] != feeds.CURRENT:
            history.setdefault(item["thread"], []).append(item)
    return [
        {**item, "history": history.get(item["thread"], [])}
        for item in items
        if item["status"] == feeds.CURRENT
    ]


@get_and_head(router, "/alerts")
async def alerts_page(request: Request, context: ContextDep, language: LanguageDep) -> Response:
    """Rendered once per language each time alerts change (`web.prerender`), not per visit."""

    def render() -> Rendered:
        now = snapshot_of(context)
        page = alerts_html(request, now.items, language, context)
        headers = {k: v for k, v in page.headers.items() if k.lower() not in RENDER_OWN}
        return Rendered(
            bytes(page.body), "text/html; charset=utf-8", now.changed_at, now.next_expiry, headers
        )

    vary = language_vary(request)
    return await kept_answer(request, context, ("alerts.html", language), render, vary)


# What the kept answer writes for itself, whatever the rendering's response said.
RENDER_OWN = frozenset({"content-length", "content-type"})


def alerts_html(
    request: Request, items: list[feeds.Listed], language: str, context: AppContext
) -> Response:
    shown = [feeds.public_dict(a, language) for a in items]
    return render(
        request,
        "alerts.html",
        language,
        alerts=threads(shown),
        linkify=linkify,
        labels=kind_labels(language),
        labels_json=json.dumps(kind_labels(language)),
        map=map_view(context.settings),
        statuses=status_labels(language),
        statuses_json=json.dumps(status_labels(language)),
    )


@router.get("/alerts/subscribe")
def subscribe_page(
    request: Request, db: DbDep, language: LanguageDep, settings: SettingsDep
) -> Response:
    zones = db.execute(
        select(Zone.id, Zone.name, Organization.name)
        .join(Organization, Organization.id == Zone.organization_id)
        .order_by(Zone.name)
    ).all()
    return render(
        request,
        "subscribe.html",
        language,
        radii=RADII_KM,
        zones=[(z.id, f"{z[1]} ({z[2]})") for z in zones],
        languages=ALERT_LANGUAGES,
        interface_languages=INTERFACE_LANGUAGES,
        push_key=vapid_public_key(settings.vapid_private_key.get_secret_value()),
        demo_inbox=settings.demo_inbox,
        map=map_view(settings),
    )


def vapid_public_key(private_key: str) -> str:
    """The application server key a browser needs to subscribe; empty when push is off."""
    if not private_key:
        return ""
    from vecinos.alerts.channels.push import load_vapid  # a PEM or a bare key, as it sends

    vapid = load_vapid(private_key)
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@router.get("/alerts/confirm")
def confirm_page(request: Request, language: LanguageDep, token: str = "") -> Response:
    return render(
        request,
        "token_action.html",
        language,
        token=token,
        endpoint="/api/alerts/subscriptions/confirm-link",
        title=gettext(language, N_("Confirm your alerts")),
        button=gettext(language, N_("Yes, send me alerts")),
        done=gettext(language, N_("Confirmed. Alerts for the area you chose will come here.")),
    )


@router.get("/alerts/unsubscribe")
def unsubscribe_page(request: Request, language: LanguageDep, token: str = "") -> Response:
    return render(
        request,
        "token_action.html",
        language,
        token=token,
        endpoint="/api/alerts/unsubscribe",
        title=gettext(language, N_("Stop alerts")),
        button=gettext(language, N_("Stop sending me alerts")),
        done=gettext(language, N_("Done. You will not receive more alerts.")),
    )


@router.get("/subscribe")
def short_subscribe_link(lang: str = "") -> Response:
    """The short address printed on wallet cards' QR codes."""
    target = "/alerts/subscribe" + (f"?lang={quote(lang)}" if lang else "")
    return RedirectResponse(target, status_code=303)
