"""Every error leaves as `{"error": {"code", "message", ...}}`, in the caller's language."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from vecinos.errors import AppError, NotAuthenticated
from vecinos.i18n import N_, gettext, negotiate

log = logging.getLogger("vecinos.web")

# Messages for errors that the framework raises before our code runs.
HTTP_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("bad_request", N_("The request could not be understood.")),
    404: ("not_found", N_("There is nothing at this address.")),
    405: ("method_not_allowed", N_("This address does not accept that method.")),
    413: ("payload_too_large", N_("The request is too large.")),
    415: ("unsupported_media_type", N_("Send the request as JSON.")),
}


def language_of(request: Request) -> str:
    context = getattr(request.app.state, "context", None)
    default = context.settings.default_language if context else "en"
    chosen = request.query_params.get("lang") or request.cookies.get("vecinos_lang")
    return negotiate(chosen or request.headers.get("accept-language"), default)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def wants_page(request: Request) -> bool:
    """Pages answer people with pages; everything under /api answers programs with JSON."""
    return not request.url.path.startswith("/api/") and request.url.path != "/api"


async def handle_app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    language = language_of(request)
    if wants_page(request):
        return page_for_error(request, exc, language)
    body = error_body(exc.code, exc.message_in(language), **exc.details)
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def page_for_error(request: Request, exc: AppError, language: str) -> Response:
    from vecinos.web.templating import render

    here = quote(request.url.path)
    if isinstance(exc, NotAuthenticated):
        return RedirectResponse(f"/signin?next={here}", status_code=303)
    if exc.code == "totp_required":
        return RedirectResponse(f"/signin/totp?next={here}", status_code=303)
    return render(
        request,
        "error.html",
        language,
        status_code=exc.status_code,
        message=exc.message_in(language),
    )


async def handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [_field_problem(e) for e in exc.errors()]
    summary = "; ".join(f"{f['field']}: {f['problem']}" for f in fields)
    message = gettext(language_of(request), N_("Some fields are wrong: {summary}")).format(
        summary=summary
    )
    return JSONResponse(error_body("invalid_input", message, fields=fields), status_code=422)


def _field_problem(error: Any) -> dict[str, str]:
    location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
    return {"field": ".".join(location) or "body", "problem": str(error.get("msg", "invalid"))}


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, message = HTTP_MESSAGES.get(exc.status_code, ("http_error", str(exc.detail)))
    language = language_of(request)
    translated = gettext(language, message)
    if wants_page(request) and request.method == "GET":
        # A mistyped or stale link: a page that says so, in the reader's language.
        from vecinos.web.templating import render

        page = render(
            request, "error.html", language, status_code=exc.status_code, message=translated
        )
        return page
    return JSONResponse(
        error_body(code, translated),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


# A database that cannot be reached (restarting, failing over, out of connections) or, on
# SQLite, one still locked after the busy timeout: the request may be sent again shortly.
RETRY_AFTER_SECONDS = 5


async def handle_database_unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OperationalError | InterfaceError)
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
    language = language_of(request)
    message = gettext(language, N_("The service is busy for a moment. Try again shortly."))
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return JSONResponse(
        error_body("service_unavailable", message), status_code=503, headers=headers
    )


async def handle_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    message = gettext(language_of(request), N_("Something went wrong on our side. Try again."))
    return JSONResponse(error_body("internal_error", message), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, handle_app_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(OperationalError, handle_database_unavailable)
    app.add_exception_handler(InterfaceError, handle_database_unavailable)
    app.add_exception_handler(Exception, handle_unexpected_error)
