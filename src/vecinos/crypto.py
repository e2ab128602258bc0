"""Keys derived from the deployment secret: encryption at rest, blind indexes, token hashes.

One secret (`VECINOS_SECRET_KEY`) yields a separate key per purpose through HKDF, so a key
leaked from one use (say, a blind index) does not open another (encrypted contacts).
Rotation: put the previous secrets in `VECINOS_OLD_SECRET_KEYS`; data encrypted under them
still decrypts and `rotate()` re-encrypts it under the current key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


@lru_cache(maxsize=256)
def derive_key(secret: str, purpose: str, length: int = 32) -> bytes:
    """Pure, so remembered: every request derives a few (source hash, status token, contact)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=b"vecinos", info=purpose.encode()
    ).derive(secret.encode())


class Encryptor:
    """Authenticated encryption (Fernet: AES-128-CBC + HMAC-SHA256) with key rotation."""

    def __init__(self, current_secret: str, purpose: str, old_secrets: Sequence[str] = ()) -> None:
        keys = [current_secret, *old_secrets]
        self._fernet = MultiFernet(
            [Fernet(base64.urlsafe_b64encode(derive_key(k, purpose))) for k in keys]
        )

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken as exc:
            raise ValueError("ciphertext does not decrypt under any known key") from exc

    def rotate(self, token: bytes) -> bytes:
        return self._fernet.rotate(token)


def blind_index(secret: str, purpose: str, value: str) -> str:
    """A keyed hash to find equal values (duplicates) without storing them."""
    key = derive_key(secret, f"blind-index:{purpose}")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def new_token(prefix: str = "") -> str:
    """A random bearer secret (256 bits) for sessions, invites and API tokens."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Stored form of a high-entropy token: SHA-256 suffices, no slow hash needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def encryptor_for(secret: str, old_secrets: Sequence[str], purpose: str) -> Encryptor:
    return Encryptor(secret, purpose, old_secrets)
