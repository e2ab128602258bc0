"""Time-based one-time codes (RFC 6238) with replay protection, and recovery codes."""

from __future__ import annotations

import secrets
from datetime import datetime

import pyotp

ISSUER = "vecinos"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def code_at(secret: str, moment: datetime) -> str:
    return str(pyotp.TOTP(secret).at(moment))


def matching_step(secret: str, code: str, moment: datetime, last_step: int) -> int | None:
    """The time step the code belongs to (±1 step of drift), or None.

    A step at or before `last_step` was already used: refusing it stops a code seen over
    someone's shoulder from being replayed inside its 30-second window.
    """
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(moment.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if step > last_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten single-use codes like `k7f3-92xq-m4ta`, easy to read out or write down."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return [
        "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
