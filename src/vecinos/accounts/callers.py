"""Who sent a request: the member behind an API token or a session cookie (`web.deps` asks)."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from vecinos.accounts.sessions import COOKIE_NAME, member_of, session_for_token
from vecinos.accounts.tokens import principal_for_api_token
from vecinos.identity import Principal
from vecinos.web.deps import AppContext


def caller_of(request: Request, db: Session, context: AppContext) -> Principal | None:
    """The caller from an `Authorization: Bearer` API token, else from the session cookie."""
    now = context.clock.now()
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return principal_for_api_token(db, authorization[7:].strip(), now=now)
    cookie = request.cookies.get(COOKIE_NAME)
    if not cookie:
        return None
    login = session_for_token(db, cookie, now=now, hours=context.settings.session_hours)
    member = member_of(db, login) if login else None
    if login is None or member is None:
        return None
    return Principal.of(
        member,
        via="session",
        totp_passed=login.totp_passed,
        session_id=login.id,
        csrf_token=login.csrf_token,
    )
