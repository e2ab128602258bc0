"""Server-rendered pages: one Jinja2 environment with Babel's gettext for the request's
language. Templates mark strings with `_()` and `ngettext()`; `make messages` extracts them."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape

from vecinos.i18n import INTERFACE_LANGUAGES, translations

LANGUAGE_COOKIE = "vecinos_lang"
TEMPLATE_PACKAGES = (
    "web",
    "accounts",
    "reports",
    "dispatch",
    "incidents",
    "alerts",
    "insights",
    "evidence",
    "geo",
    "cases",
    "training",
    "coverage",
)


@cache
def environment() -> Environment:
    env = Environment(
        # The shell's templates, then each domain's own pages.
        loader=ChoiceLoader(
            [PackageLoader(f"vecinos.{package}", "templates") for package in TEMPLATE_PACKAGES]
        ),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["interface_languages"] = INTERFACE_LANGUAGES
    return env


def render(
    request: Request, template: str, language: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    catalog = translations(language)

    def gettext(message: str, **values: Any) -> str:
        translated = catalog.gettext(message)
        return translated % values if values else translated

    # The catalog travels with the render call; the shared environment stays language-free.
    page = (
        environment()
        .get_template(template)
        .render(
            request=request,
            language=language,
            path=request.url.path,
            _=gettext,
            gettext=gettext,
            **context,
        )
    )
    return HTMLResponse(page, status_code=status_code, headers=security_headers(request))


def security_headers(request: Request) -> dict[str, str]:
    """No third-party anything: scripts, styles and fonts come from this server only; images
    also from the configured map tile server, if there is one."""
    tiles = tile_origin(request.app.state.context.settings.map_tile_url)
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; img-src 'self' data: blob:{tiles}; style-src 'self'; "
            "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
            "form-action 'self'"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def tile_origin(url: str) -> str:
    parts = urlsplit(url.replace("{s}", "*"))
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
