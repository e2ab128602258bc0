"""Sign in, two-factor, sign out: the `/api/auth` routes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from vecinos.accounts import audit, signin
from vecinos.accounts.models import LoginSession, Member
from vecinos.accounts.sessions import COOKIE_NAME, end_all_sessions, end_session, start_session
from vecinos.errors import AppError, NotAuthenticated
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.web.deps import ClockDep, ContextDep, DbDep, SettingsDep
from vecinos.web.limits import Limit, RateLimited
from vecinos.web.openapi import refusals
from vecinos.web.policy import PUBLIC, MemberBeforeTotp, SignedInMember

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Credentials(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class Code(BaseModel):
    code: str = Field(max_length=32)


class RoleOut(BaseModel):
    organization_id: int
    role: str


class Me(BaseModel):
    id: int
    display_name: str
    roles: list[RoleOut]
    totp_required: bool
    totp_enrolled: bool
    totp_passed: bool
    csrf_token: str | None


class TotpSetup(BaseModel):
    secret: str
    otpauth_uri: str


class RecoveryCodes(BaseModel):
    recovery_codes: list[str]


class RecoveryResult(BaseModel):
    recovery_codes_left: int


class SignedOut(BaseModel):
    sessions_ended: int


@contextmanager
def keeping_failures(db: Session) -> Iterator[None]:
    """Failed attempts must be counted even though the request fails: commit, then raise."""
    try:
        yield
    except AppError:
        db.commit()
        raise


def _me(member: Member, login: LoginSession | None, totp_passed: bool) -> Me:
    return Me(
        id=member.id,
        display_name=member.display_name,
        roles=[RoleOut(organization_id=g.organization_id, role=g.role) for g in member.grants],
        totp_required=member.needs_totp,
        totp_enrolled=member.has_totp,
        totp_passed=totp_passed,
        csrf_token=login.csrf_token if login else None,
    )


def _session_of(db: Session, caller: Principal) -> tuple[Member, LoginSession]:
    login = db.get(LoginSession, caller.session_id) if caller.session_id else None
    member = db.get(Member, caller.member_id)
    if login is None or member is None:
        raise NotAuthenticated(
            N_("This needs a signed-in browser session."), code="session_required"
        )
    return member, login


SignInLimit = Annotated[Limit, Depends(RateLimited("sign-in"))]


@router.post("/login", dependencies=[PUBLIC.dependency()], responses=refusals(401))
def login(
    body: Credentials,
    response: Response,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    limit: SignInLimit,
) -> Me:
    limit.check(signin.normalise_email(body.email))
    now = clock.now()
    with keeping_failures(db):
        member = signin.check_password(
            db,
            body.email,
            body.password,
            now=now,
            backoff=signin.Backoff.of(settings),
        )
    token, login_session = start_session(
        db, member, now=now, hours=settings.session_hours, totp_passed=False
    )
    audit.record(db, "login.password", at=now, actor_id=member.id)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )
    return _me(member, login_session, totp_passed=False)


@router.get("/me")
def me(caller: MemberBeforeTotp, db: DbDep) -> Me:
    member = db.get(Member, caller.member_id)
    assert member is not None
    login = db.get(LoginSession, caller.session_id) if caller.session_id else None
    return _me(member, login, totp_passed=caller.totp_passed)


@router.post("/totp")
def totp(body: Code, caller: MemberBeforeTotp, db: DbDep, context: ContextDep) -> Me:
    member, login = _session_of(db, caller)
    settings = context.settings
    with keeping_failures(db):
        signin.pass_totp(
            db,
            member,
            login,
            body.code,
            now=context.clock.now(),
            encryptor=context.encryptor("totp"),
            backoff=signin.Backoff.of(settings),
        )
    return _me(member, login, totp_passed=True)


@router.post("/recovery")
def recovery(
    body: Code, caller: MemberBeforeTotp, db: DbDep, context: ContextDep
) -> RecoveryResult:
    member, login = _session_of(db, caller)
    settings = context.settings
    with keeping_failures(db):
        left = signin.pass_recovery_code(
            db,
            member,
            login,
            body.code,
            now=context.clock.now(),
            backoff=signin.Backoff.of(settings),
        )
    return RecoveryResult(recovery_codes_left=left)


@router.post("/totp/setup")
def totp_setup(caller: MemberBeforeTotp, db: DbDep, context: ContextDep) -> TotpSetup:
    member, _ = _session_of(db, caller)
    secret, uri = signin.begin_totp_enrollment(member, context.encryptor("totp"))
    return TotpSetup(secret=secret, otpauth_uri=uri)


@router.post("/totp/confirm")
def totp_confirm(
    body: Code, caller: MemberBeforeTotp, db: DbDep, context: ContextDep
) -> RecoveryCodes:
    member, login = _session_of(db, caller)
    codes = signin.confirm_totp_enrollment(
        db, member, login, body.code, now=context.clock.now(), encryptor=context.encryptor("totp")
    )
    return RecoveryCodes(recovery_codes=codes)


@router.post("/logout")
def logout(caller: MemberBeforeTotp, response: Response, db: DbDep) -> SignedOut:
    if caller.session_id:
        end_session(db, caller.session_id)
    response.delete_cookie(COOKIE_NAME, path="/")
    return SignedOut(sessions_ended=1 if caller.session_id else 0)


@router.post("/logout-all")
def logout_everywhere(
    caller: SignedInMember, response: Response, db: DbDep, clock: ClockDep
) -> SignedOut:
    ended = end_all_sessions(db, caller.member_id)
    audit.record(db, "login.signed_out_everywhere", at=clock.now(), actor_id=caller.member_id)
    response.delete_cookie(COOKIE_NAME, path="/")
    return SignedOut(sessions_ended=ended)
