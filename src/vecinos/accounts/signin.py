"""Signing in: password with back-off, then a TOTP or recovery code where the roles need it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vecinos.accounts import audit, passwords, totp
from vecinos.accounts.models import LoginSession, Member, RecoveryCode
from vecinos.config import Settings
from vecinos.crypto import Encryptor, token_hash
from vecinos.errors import Conflict, InvalidInput, NotAuthenticated, TooManyRequests
from vecinos.i18n import N_


@dataclass(frozen=True)
class Backoff:
    """How many failures are free, and the longest wait the doubling back-off may impose."""

    free_attempts: int
    max_lockout_seconds: int

    @classmethod
    def of(cls, settings: Settings) -> Backoff:
        return cls(settings.login_free_attempts, settings.login_max_lockout_seconds)

    def locked_until(self, failures: int, now: datetime) -> datetime | None:
        """Doubling back-off: slows guessing to a crawl without locking the owner out for long."""
        beyond = failures - self.free_attempts
        if beyond < 0:
            return None
        return now + timedelta(seconds=min(15 * 2 ** min(beyond, 30), self.max_lockout_seconds))


@cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both failures take the same time. Made
    on first use: an argon2 hash costs start-up (and every CLI command) a good fraction of a
    second on a busy machine."""
    return passwords.hash_password("not-a-real-password-just-for-timing")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_member(db: Session, email: str) -> Member | None:
    return db.scalar(select(Member).where(Member.email == normalise_email(email)))


def check_password(
    db: Session,
    email: str,
    password: str,
    *,
    now: datetime,
    backoff: Backoff,
) -> Member:
    """The member whose password this is. On failure the counter moves: commit before raising."""
    member = find_member(db, email)
    if member is None or member.disabled_at is not None:
        passwords.verify_password(_dummy_hash(), password)
        raise NotAuthenticated(N_("Wrong e-mail or password."), code="wrong_credentials")
    _refuse_while_locked(member, now)
    if not passwords.verify_password(member.password_hash, password):
        _count_failure(db, member, now, backoff)
        raise NotAuthenticated(N_("Wrong e-mail or password."), code="wrong_credentials")
    if passwords.needs_rehash(member.password_hash):
        member.password_hash = passwords.hash_password(password)
    member.failed_logins = 0
    member.locked_until = None
    return member


def _refuse_while_locked(member: Member, now: datetime) -> None:
    _refuse_until(member.locked_until, now, "login_locked")


def _refuse_while_code_locked(member: Member, now: datetime) -> None:
    _refuse_until(member.totp_locked_until, now, "totp_locked")


def _refuse_until(locked_until: datetime | None, now: datetime, code: str) -> None:
    if locked_until is not None and locked_until > now:
        wait = max(1, math.ceil((locked_until - now).total_seconds()))
        raise TooManyRequests(
            N_("Too many failed attempts. Try again in {seconds} seconds."),
            retry_after=wait,
            code=code,
        )


def _count_failure(db: Session, member: Member, now: datetime, backoff: Backoff) -> None:
    member.failed_logins += 1
    member.locked_until = backoff.locked_until(member.failed_logins, now) or member.locked_until
    audit.record(db, "login.failed", at=now, actor_id=member.id, attempts=member.failed_logins)


def _count_code_failure(db: Session, member: Member, now: datetime, backoff: Backoff) -> None:
    member.totp_failures += 1
    member.totp_locked_until = (
        backoff.locked_until(member.totp_failures, now) or member.totp_locked_until
    )
    audit.record(db, "login.code_failed", at=now, actor_id=member.id, attempts=member.totp_failures)


def _second_factor_passed(member: Member) -> None:
    member.totp_failures = 0
    member.totp_locked_until = None


def pass_totp(
    db: Session,
    member: Member,
    login: LoginSession,
    code: str,
    *,
    now: datetime,
    encryptor: Encryptor,
    backoff: Backoff,
) -> None:
    """Mark the session as past its second factor. On failure the counter moves: commit."""
    _refuse_while_code_locked(member, now)
    if member.totp_secret is None or member.totp_enabled_at is None:
        raise Conflict(
            N_("Two-factor sign-in is not set up for this account yet."), code="totp_not_enrolled"
        )
    secret = encryptor.decrypt(member.totp_secret)
    step = totp.matching_step(secret, code, now, member.totp_last_step)
    if step is None:
        _count_code_failure(db, member, now, backoff)
        raise NotAuthenticated(N_("That code is wrong or was already used."), code="wrong_totp")
    member.totp_last_step = step
    _second_factor_passed(member)
    login.totp_passed = True
    audit.record(db, "login.totp", at=now, actor_id=member.id)


def pass_recovery_code(
    db: Session,
    member: Member,
    login: LoginSession,
    code: str,
    *,
    now: datetime,
    backoff: Backoff,
) -> int:
    """Spend one recovery code instead of a TOTP code; returns how many are left."""
    _refuse_while_code_locked(member, now)
    match = db.scalar(
        select(RecoveryCode).where(
            RecoveryCode.member_id == member.id,
            RecoveryCode.code_hash == token_hash(code.strip().lower()),
            RecoveryCode.used_at.is_(None),
        )
    )
    if match is None:
        _count_code_failure(db, member, now, backoff)
        raise NotAuthenticated(
            N_("That recovery code is wrong or was already used."), code="wrong_recovery_code"
        )
    match.used_at = now
    _second_factor_passed(member)
    login.totp_passed = True
    audit.record(db, "login.recovery_code", at=now, actor_id=member.id)
    return unused_recovery_codes(db, member.id)


def begin_totp_enrollment(member: Member, encryptor: Encryptor) -> tuple[str, str]:
    """A fresh secret and its otpauth:// URI; not active until a code from it is confirmed."""
    if member.has_totp:
        raise Conflict(N_("Two-factor sign-in is already set up."), code="totp_already_enrolled")
    secret = totp.new_secret()
    member.totp_secret = encryptor.encrypt(secret)
    return secret, totp.provisioning_uri(secret, member.email)


def confirm_totp_enrollment(
    db: Session,
    member: Member,
    login: LoginSession,
    code: str,
    *,
    now: datetime,
    encryptor: Encryptor,
) -> list[str]:
    """Activate two-factor and hand out recovery codes (shown once, stored hashed)."""
    if member.has_totp:
        raise Conflict(N_("Two-factor sign-in is already set up."), code="totp_already_enrolled")
    if member.totp_secret is None:
        raise Conflict(N_("Start two-factor setup first."), code="totp_setup_not_started")
    step = totp.matching_step(encryptor.decrypt(member.totp_secret), code, now, 0)
    if step is None:
        raise InvalidInput(
            N_("That code does not match; check the time on your phone."), code="wrong_totp"
        )
    member.totp_enabled_at = now
    member.totp_last_step = step
    login.totp_passed = True
    codes = totp.new_recovery_codes()
    # ~59 bits of randomness each and single use: a fast hash is enough, as for tokens.
    db.add_all(RecoveryCode(member_id=member.id, code_hash=token_hash(c)) for c in codes)
    audit.record(db, "totp.enrolled", at=now, actor_id=member.id)
    return codes


def unused_recovery_codes(db: Session, member_id: int) -> int:
    query = select(func.count()).where(
        RecoveryCode.member_id == member_id, RecoveryCode.used_at.is_(None)
    )
    return db.scalar(query) or 0
