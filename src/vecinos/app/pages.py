"""The page shell: home, language switch, sign-in with two-factor, account, sign-out.

Pages post plain HTML forms, so they work without JavaScript on any phone. Before a session
exists, the sign-in form is protected by a double-submit CSRF cookie; afterwards the policy
layer checks the session's own token in the `csrf_token` field.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from vecinos.accounts import signin
from vecinos.accounts.auth_routes import SignInLimit, keeping_failures
from vecinos.accounts.models import LoginSession, Member, Organization
from vecinos.accounts.sessions import COOKIE_NAME, end_session, start_session
from vecinos.config import Settings
from vecinos.crypto import constant_time_equal, new_token
from vecinos.errors import AppError
from vecinos.i18n import INTERFACE_LANGUAGES, N_, gettext
from vecinos.web.deps import ContextDep, DbDep, LanguageDep, SettingsDep
from vecinos.web.policy import PUBLIC, MemberBeforeTotp, SignedInMember
from vecinos.web.templating import LANGUAGE_COOKIE, render

router = APIRouter(include_in_schema=False)
FORM_COOKIE = "vecinos_form"  # pre-session CSRF: the form must echo this cookie's value
YEAR = 365 * 24 * 3600


def safe_next(target: str | None, default: str = "/account") -> str:
    """Only same-site paths: an open redirect would let a phishing link borrow our name."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/", dependencies=[PUBLIC.dependency()])
def home(request: Request, language: LanguageDep) -> Response:
    return render(request, "home.html", language)


@router.get("/language/{code}", dependencies=[PUBLIC.dependency()])
def switch_language(code: str, next: str = "/") -> Response:
    response = see_other(safe_next(next, "/"))
    if code in INTERFACE_LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=YEAR, samesite="lax", path="/")
    return response


@router.get("/signin", dependencies=[PUBLIC.dependency()])
def signin_form(
    request: Request, language: LanguageDep, settings: SettingsDep, next: str = "/account"
) -> Response:
    token = new_token()
    response = render(
        request,
        "signin.html",
        language,
        csrf_token=token,
        next=safe_next(next),
        email="",
        error=None,
    )
    _set_form_cookie(response, token, settings)
    return response


@router.post("/signin", dependencies=[PUBLIC.dependency()])
def signin_submit(
    request: Request,
    db: DbDep,
    context: ContextDep,
    language: LanguageDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=100)],
    limit: SignInLimit,
    next: Annotated[str, Form(max_length=500)] = "/account",
) -> Response:
    settings = context.settings
    if refused := limit.refusal(signin.normalise_email(email)):
        message = gettext(language, N_("Too many failed attempts. Try again in {seconds} seconds."))
        return _signin_again(
            request, language, email, next, message.format(seconds=refused.wait), status_code=429
        )
    expected = request.cookies.get(FORM_COOKIE, "")
    if not expected or not constant_time_equal(csrf_token, expected):
        return _signin_again(
            request,
            language,
            email,
            next,
            gettext(language, N_("The form has expired; try again.")),
        )
    now = context.clock.now()
    try:
        with keeping_failures(db):
            member = signin.check_password(
                db,
                email,
                password,
                now=now,
                backoff=signin.Backoff.of(settings),
            )
    except AppError as exc:
        return _signin_again(
            request, language, email, next, exc.message_in(language), status_code=exc.status_code
        )
    token, _ = start_session(db, member, now=now, hours=settings.session_hours, totp_passed=False)
    target = safe_next(next)
    response = see_other(f"/signin/totp?next={quote(target)}" if member.needs_totp else target)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )
    response.delete_cookie(FORM_COOKIE, path="/signin")
    return response


def _signin_again(
    request: Request, language: str, email: str, next_url: str, error: str, status_code: int = 400
) -> Response:
    token = new_token()
    response = render(
        request,
        "signin.html",
        language,
        status_code=status_code,
        csrf_token=token,
        next=safe_next(next_url),
        email=email,
        error=error,
    )
    _set_form_cookie(response, token, request.app.state.context.settings)
    return response


def _set_form_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        FORM_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        path="/signin",
        secure=settings.cookie_secure,
    )


@router.get("/signin/totp")
def totp_form(
    request: Request, caller: MemberBeforeTotp, language: LanguageDep, next: str = "/account"
) -> Response:
    return render(
        request,
        "signin_totp.html",
        language,
        csrf_token=caller.csrf_token,
        next=safe_next(next),
        error=None,
    )


@router.post("/signin/totp")
def totp_submit(
    request: Request,
    caller: MemberBeforeTotp,
    db: DbDep,
    context: ContextDep,
    language: LanguageDep,
    code: Annotated[str, Form(max_length=32)],
    next: Annotated[str, Form(max_length=500)] = "/account",
) -> Response:
    member = db.get(Member, caller.member_id)
    login = db.get(LoginSession, caller.session_id) if caller.session_id else None
    assert member is not None
    assert login is not None
    settings, now = context.settings, context.clock.now()
    backoff = signin.Backoff.of(settings)
    try:
        with keeping_failures(db):
            if "-" in code:  # recovery codes look like k7f3-92xq-m4ta; TOTP codes are digits
                signin.pass_recovery_code(db, member, login, code, now=now, backoff=backoff)
            else:
                signin.pass_totp(
                    db,
                    member,
                    login,
                    code,
                    now=now,
                    encryptor=context.encryptor("totp"),
                    backoff=backoff,
                )
    except AppError as exc:
        return render(
            request,
            "signin_totp.html",
            language,
            status_code=exc.status_code,
            csrf_token=caller.csrf_token,
            next=safe_next(next),
            error=exc.message_in(language),
        )
    return see_other(safe_next(next))


@router.get("/account")
def account(
    request: Request,
    caller: SignedInMember,
    db: DbDep,
    language: LanguageDep,
    settings: SettingsDep,
) -> Response:
    names = {
        o.id: o.name
        for o in db.scalars(
            select(Organization).where(Organization.id.in_(caller.organization_ids))
        )
    }
    memberships = sorted(
        (names[org], org, sorted(role.value for role in caller.roles_in(org)))
        for org in caller.organization_ids
    )
    return render(
        request,
        "account.html",
        language,
        name=caller.display_name,
        memberships=memberships,
        csrf_token=caller.csrf_token,
        demo_inbox=settings.demo_inbox,
    )


@router.post("/signout")
def signout(caller: MemberBeforeTotp, db: DbDep) -> Response:
    if caller.session_id:
        end_session(db, caller.session_id)
    response = see_other("/")
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@router.get("/sw.js", dependencies=[PUBLIC.dependency()])
def service_worker() -> Response:
    """Served from the root so its scope covers every page (a /static path would limit it)."""
    script = (resources.files("vecinos.web") / "static" / "sw.js").read_bytes()
    return Response(
        script,
        media_type="text/javascript",
        headers={
            "Cache-Control": "no-cache",
            "Service-Worker-Allowed": "/",
            # A worker's script's CSP governs the worker: it fetches pages and the API.
            "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
        },
    )


@router.get("/favicon.ico", dependencies=[PUBLIC.dependency()], include_in_schema=False)
def favicon() -> Response:
    """Browsers ask for it at the root whatever the page says."""
    icon = (resources.files("vecinos.web") / "static" / "icons" / "favicon.ico").read_bytes()
    return Response(
        icon,
        media_type="image/vnd.microsoft.icon",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/manifest.webmanifest", dependencies=[PUBLIC.dependency()])
def manifest(language: LanguageDep, settings: SettingsDep) -> Response:
    body = {
        "name": f"vecinos · {settings.coalition_name}",
        "short_name": "vecinos",
        "description": gettext(language, N_("Verified alerts, not rumours")),
        "start_url": "/report",
        "scope": "/",
        "display": "standalone",
        "lang": language,
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "icons": [
            {
                "src": f"/static/icons/icon-{size}.png",
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    return Response(json.dumps(body), media_type="application/manifest+json")


@router.get("/join", dependencies=[PUBLIC.dependency()])
def join(request: Request, language: LanguageDep) -> Response:
    return render(request, "join.html", language)
