"""The deployment's Ed25519 key that signs legal exports.

`VECINOS_EVIDENCE_SIGNING_KEY` (or `…_FILE`) holds a PEM private key; when it is empty the key
lives in `data_dir/evidence-signing-key.pem`, created on first use, readable by its owner only.
Courts and partners get the public half (`vecinos export public-key`) to check bundles.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vecinos.config import ConfigError, Settings

KEY_FILE = "evidence-signing-key.pem"


def key_path(settings: Settings) -> Path:
    return settings.data_dir / KEY_FILE


def has_signing_key(settings: Settings) -> bool:
    return (
        bool(settings.evidence_signing_key.get_secret_value().strip())
        or key_path(settings).exists()
    )


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    configured = settings.evidence_signing_key.get_secret_value().strip()
    if configured:
        return _load_private(configured.encode(), "VECINOS_EVIDENCE_SIGNING_KEY")
    path = key_path(settings)
    if not path.exists():
        _create(path)
    return _load_private(path.read_bytes(), str(path))


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first: use theirs
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())


def _load_private(pem: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except ValueError as exc:
        raise ConfigError(f"{where}: not a PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{where}: not an Ed25519 key")
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    """A short fingerprint to tell keys apart: SHA-256 of the raw public key, 16 hex digits."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]
