"""Server-side sessions: the cookie carries a random token, the database its SHA-256.

Signing out deletes the row, so a stolen cookie dies with it (a signed cookie would not).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vecinos.accounts.models import LoginSession, Member
from vecinos.crypto import new_token, token_hash

COOKIE_NAME = "vecinos_session"
TOUCH_EVERY = timedelta(minutes=1)  # sliding expiry without a write on every request


def start_session(
    db: Session, member: Member, *, now: datetime, hours: int, totp_passed: bool
) -> tuple[str, LoginSession]:
    token = new_token()
    login = LoginSession(
        id=token_hash(token),
        member_id=member.id,
        csrf_token=new_token(),
        totp_passed=totp_passed,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.add(login)
    return token, login


def session_for_token(db: Session, token: str, *, now: datetime, hours: int) -> LoginSession | None:
    login = db.get(LoginSession, token_hash(token))
    if login is None:
        return None
    if login.expires_at <= now:
        db.delete(login)
        return None
    if now - login.last_seen_at >= TOUCH_EVERY:
        login.last_seen_at = now
        login.expires_at = now + timedelta(hours=hours)
    return login


def end_session(db: Session, session_id: str) -> None:
    db.execute(delete(LoginSession).where(LoginSession.id == session_id))


def end_all_sessions(db: Session, member_id: int) -> int:
    ended = db.scalars(select(LoginSession.id).where(LoginSession.member_id == member_id)).all()
    db.execute(delete(LoginSession).where(LoginSession.member_id == member_id))
    return len(ended)


def member_of(db: Session, login: LoginSession) -> Member | None:
    member = db.get(Member, login.member_id)
    return None if member is None or member.disabled_at is not None else member
