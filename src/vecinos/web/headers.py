"""Security headers on every response, the API's and the errors' included, and `no-store`
unless a route says its answer may be kept.

Deny by default: a response that nobody marked cacheable is not stored by a browser or a proxy,
so a member roster or an incident with a callback contact never lingers in a shared cache or
a borrowed phone's history. Public routes that may be cached set their own Cache-Control
(the alert feeds); the app's static files keep their validators. Pages set a richer CSP of
their own (`templating.security_headers`); the default here fits everything else.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders

from vecinos.config import Settings

DEFAULTS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(self), microphone=(self), geolocation=(self)"),
)
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
# The API's documentation page is FastAPI's own (Swagger UI, inline script): its CSP is its own.
OWN_POLICY_PATHS = frozenset({"/api/docs"})
STATIC_PREFIX = "/static/"


class SecurityHeaders:
    """The headers above, for a deployment (HSTS only behind https); set on each answer's first
    message by `vecinos.app.answers`."""

    def __init__(self, settings: Settings) -> None:
        self.defaults = (*DEFAULTS, HSTS) if _is_https(settings.public_url) else DEFAULTS

    def harden(self, headers: MutableHeaders, path: str) -> None:
        for name, value in self.defaults:
            if name not in headers and not (
                name == "Content-Security-Policy" and path in OWN_POLICY_PATHS
            ):
                headers[name] = value
        if "Cache-Control" not in headers and not path.startswith(STATIC_PREFIX):
            headers["Cache-Control"] = "no-store"
        if "Vary" in headers:  # GZipMiddleware adds Accept-Encoding even where a route named it
            headers["Vary"] = ", ".join(
                dict.fromkeys(v.strip() for v in headers["Vary"].split(","))
            )


def _is_https(url: str) -> bool:
    return url.lower().startswith("https://")
