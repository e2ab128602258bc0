"""Server-rendered pages: Jinja2 with its i18n extension, one environment per interface language.

Templates translate with `_()`, `gettext()`, `ngettext()` or `{% trans %}` blocks, all backed by
the Babel catalogs (`make messages` extracts them). Codes become words with the `word` filter
(`vecinos.words`), times read naturally with `age` ("hace 5 minutos"). Each language has its
own environment, so macros imported without context translate too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_time, format_timedelta
from babel.numbers import format_decimal, format_percent
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import (
    ChoiceLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from vecinos import words
from vecinos.i18n import INTERFACE_LANGUAGES, N_, SOURCE_LANGUAGE, translations

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
    "console",
    "geo",
    "cases",
    "training",
    "coverage",
    "hotline",
)
JUST_NOW = N_("just now")


@cache
def environment(language: str = SOURCE_LANGUAGE) -> Environment:
    env = Environment(
        # The shell's templates, then each domain's own pages.
        loader=ChoiceLoader(
            [PackageLoader(f"vecinos.{package}", "templates") for package in TEMPLATE_PACKAGES]
        ),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["interface_languages"] = INTERFACE_LANGUAGES
    env.filters["word"] = lambda code, table: words.word(language, table, code)
    env.filters["age"] = _age_in(language)
    env.filters["local_time"] = _local_time_in(language)
    env.filters["number"] = lambda value: format_decimal(value, locale=language)
    env.filters["percent"] = lambda share: format_percent(share, locale=language)
    return env


def _age_in(language: str) -> Any:
    @pass_context
    def age(context: Context, when: datetime) -> str:
        """How long ago, in words: "hace 5 minutos", "3 hours ago"."""
        elapsed = context["now"] - when
        if elapsed < timedelta(minutes=1):
            return translations(language).gettext(JUST_NOW)
        return format_timedelta(-elapsed, add_direction=True, granularity="minute", locale=language)

    return age


def _local_time_in(language: str) -> Any:
    @pass_context
    def local_time(context: Context, when: datetime) -> str:
        """The time of day in the coalition's time zone, as the language writes it."""
        return format_time(when, "short", tzinfo=ZoneInfo(context["timezone"]), locale=language)

    return local_time


def render(
    request: Request,
    template: str,
    language: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    app_context = request.app.state.context
    page = (
        environment(language)
        .get_template(template)
        .render(
            request=request,
            language=language,
            path=request.url.path,
            now=app_context.clock.now(),
            timezone=app_context.settings.alert_timezone,
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
