"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from vecinos.errors import InvalidInput
from vecinos.i18n import N_

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 copes with more; this just stops absurd payloads

# The most common choices in public breach corpora, in the shapes that pass a length rule.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "password1234",
        "passwordpassword",
        "qwertyuiop12",
        "qwertyuiopasdf",
        "iloveyou1234",
        "111111111111",
        "000000000000",
        "abcdefghijkl",
        "abc123abc123",
        "contraseña123",
        "contrasena123",
        "changeme1234",
        "letmein12345",
        "welcome12345",
        "administrator",
        "vecinos12345",
        "vecinosvecinos",
    }
)

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 "low memory" profile


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_strength(password: str, *, email: str = "", name: str = "") -> None:
    """Length and a blocklist (NIST SP 800-63B), not composition rules people work around."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            N_("The password must be at least {min} characters long."),
            params={"min": MIN_LENGTH},
            code="weak_password",
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            N_("The password must be at most {max} characters long."),
            params={"max": MAX_LENGTH},
            code="weak_password",
        )
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        raise InvalidInput(
            N_("This password is too common or too simple; choose a longer phrase."),
            code="weak_password",
        )
    personal = [email.split("@")[0].lower(), name.lower().replace(" ", "")]
    if any(part and len(part) >= 4 and part in lowered for part in personal):
        raise InvalidInput(
            N_("The password must not contain your name or e-mail address."),
            code="weak_password",
        )
