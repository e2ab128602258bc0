"""Whatever answers a signed-in browser is kept by no cache: `Cache-Control: no-store`.
Signed-in pages show people's reports, rosters and evidence. A shared or seized phone must not
keep them (in the HTTP cache, in the back button's memory, or in the service worker's cache,
which also refuses what says no-store), whoever wrote the page and whatever its path.
Applied by `vecinos.app.answers`.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import Scope

from vecinos.accounts.sessions import COOKIE_NAME

_COOKIE = COOKIE_NAME.encode() + b"="


def signed_in(scope: Scope) -> bool:
    return any(name == b"cookie" and _COOKIE in value for name, value in scope["headers"])


def keep_private(headers: MutableHeaders) -> None:
    if "no-store" not in headers.get("cache-control", ""):
        headers["Cache-Control"] = "no-store"
