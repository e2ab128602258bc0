"""`POST /api/reports` answered before FastAPI's router: the hottest route, on a short path.

Under load, FastAPI's matching of the request against every route, its dependency solving and
its exception middleware took more of the CPU than the intake itself. This ASGI middleware
sits inside the app's own middleware (access log, `X-Server-Time`, compression), so the answer
leaves exactly as it would from the route: the same handler (`routes.take_report`), the same
refusals rendered by the same error handler, in the caller's language. Anything else, including
other methods and `/api/reports/...`, goes on to FastAPI; the route stays there, documented.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from vecinos.errors import AppError
from vecinos.reports.routes import router, take_report
from vecinos.web.errors import handle_app_error

PATH = router.prefix  # "/api/reports"


class IntakeFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_intake(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await take_report(request)
        except AppError as refusal:
            response = await handle_app_error(request, refusal)
        await response(scope, receive, send)


def _is_intake(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return (path[len(root) :] if root and path.startswith(root) else path) == PATH
