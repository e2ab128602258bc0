"""Content credentials (C2PA) on the photos of a legal export, so standard viewers (the
Content Authenticity Initiative's verify site, Adobe's tools, camera apps) show where each
one came from and that it was not edited since.

Optional: set `VECINOS_EVIDENCE_C2PA_CERTIFICATE` (the signer's PEM certificate chain) and
`VECINOS_EVIDENCE_C2PA_KEY` (its private key), and install the `c2pa` extra. The bundle then
carries `c2pa/<id>.<ext>`: a copy of the original with a signed manifest embedded, naming
vecinos, the incident, the time it arrived and the original's SHA-256. The original itself
stays byte for byte under `media/`, so its hash never changes.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from vecinos.config import ConfigError, Settings

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
ASSERTION = "org.vecinos.evidence"
CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"


@dataclass(frozen=True)
class Credentials:
    """What signs the manifests: the certificate chain and key, and their algorithm."""

    chain: bytes
    key: bytes
    algorithm: str  # a name of c2pa.C2paSigningAlg


def configured(settings: Settings) -> Credentials | None:
    path = settings.evidence_c2pa_certificate
    key = settings.evidence_c2pa_key.get_secret_value().strip()
    if path is None and not key:
        return None
    if path is None or not key:
        raise ConfigError(
            "VECINOS_EVIDENCE_C2PA_CERTIFICATE and VECINOS_EVIDENCE_C2PA_KEY go together"
        )
    return Credentials(path.read_bytes(), key.encode(), _algorithm(key.encode()))


def _algorithm(pem: bytes) -> str:
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except ValueError as exc:
        raise ConfigError("VECINOS_EVIDENCE_C2PA_KEY: not a PEM private key") from exc
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return "ED25519"
    if isinstance(private, ec.EllipticCurvePrivateKey):
        return {256: "ES256", 384: "ES384", 521: "ES512"}[private.curve.key_size]
    if isinstance(private, rsa.RSAPrivateKey):
        return "PS256"
    raise ConfigError("VECINOS_EVIDENCE_C2PA_KEY: use an EC, Ed25519 or RSA key")


def manifest(facts: dict[str, Any], title: str) -> dict[str, Any]:
    return {
        "claim_generator_info": [{"name": "vecinos", "version": "1"}],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": CAPTURE}]},
            },
            {"label": ASSERTION, "data": facts},
        ],
    }


def credentialed(
    original: bytes, content_type: str, facts: dict[str, Any], credentials: Credentials
) -> bytes:
    """A copy of `original` with a signed C2PA manifest embedded."""
    import c2pa  # the optional extra; only needed when credentials are configured

    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(
            getattr(c2pa.C2paSigningAlg, credentials.algorithm),
            credentials.chain,
            credentials.key,
            None,  # no time-stamp authority here: RFC 3161 tokens travel in the bundle
        )
    )
    title = f"media-{facts['media_id']}.{IMAGE_TYPES[content_type]}"
    builder = c2pa.Builder(json.dumps(manifest(facts, title)))
    out = io.BytesIO()
    builder.sign(signer, content_type, io.BytesIO(original), out)
    return out.getvalue()
