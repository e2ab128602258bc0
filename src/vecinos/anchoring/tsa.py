"""Talking to an RFC 3161 time-stamping authority, and checking what it says.

The request carries the hash we already hold as its message imprint (SHA-256), a fresh
nonce and certReq, so the answer embeds the authority's certificate. asn1crypto builds the
request; rfc3161-client parses and verifies the answer: status granted, the signature and
its certificate chain up to the configured trust anchors, the timeStamping key usage, the
nonce, and the imprint — an answer for another hash is refused like a forged one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from asn1crypto import tsp
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from rfc3161_client import (
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

QUERY_TYPE, REPLY_TYPE = "application/timestamp-query", "application/timestamp-reply"
USER_AGENT = "vecinos-anchoring/1"


class TsaUnavailable(Exception):
    """The authority could not be asked or did not answer; try again later."""


class TokenRefused(Exception):
    """The authority answered, but the answer does not prove what we asked; never stored."""


@dataclass(frozen=True)
class Trust:
    """Whom we believe: the CA roots, intermediates, and the authority's own certificate."""

    roots: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...]
    tsa: x509.Certificate | None


def load_trust(pem: bytes) -> Trust:
    """Certificates from one PEM file: self-signed ones are roots, one with the timeStamping
    key usage is the authority's, the rest are intermediates."""
    certificates = x509.load_pem_x509_certificates(pem)
    roots = tuple(c for c in certificates if c.issuer == c.subject)
    tsa = next((c for c in certificates if _stamps_time(c)), None)
    others = tuple(c for c in certificates if c not in roots and c is not tsa)
    if not roots:
        raise ValueError("no self-signed CA certificate (a trust anchor) in the file")
    return Trust(roots, others, tsa)


def load_trust_file(path: Path) -> Trust:
    try:
        return load_trust(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def _stamps_time(certificate: x509.Certificate) -> bool:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.TIME_STAMPING in usage


def build_request(sha256_hex: str) -> tuple[bytes, int]:
    """DER of a TimeStampReq for this hash, and its nonce."""
    nonce = secrets.randbits(63)
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": bytes.fromhex(sha256_hex),
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return request.dump(), nonce


def ask(client: httpx.Client, url: str, request: bytes) -> bytes:
    """POST the request; the answer's bytes, or TsaUnavailable."""
    try:
        answer = client.post(url, content=request, headers={"Content-Type": QUERY_TYPE})
    except httpx.HTTPError as exc:
        raise TsaUnavailable(f"{type(exc).__name__}: {exc}") from exc
    if answer.status_code != 200:
        raise TsaUnavailable(f"HTTP {answer.status_code}")
    return answer.content


def check(
    answer: bytes, sha256_hex: str, trust: Trust, *, nonce: int | None = None
) -> TimeStampResponse:
    """The parsed answer when it proves this hash under this trust; TokenRefused if not."""
    try:
        response = decode_timestamp_response(answer)
    except ValueError as exc:
        raise TokenRefused(f"not a time-stamp response ({exc})") from exc
    builder = VerifierBuilder(
        roots=list(trust.roots), intermediates=list(trust.intermediates), tsa_certificate=trust.tsa
    )
    if nonce is not None:
        builder = builder.nonce(nonce)
    imprint = response.tst_info.message_imprint.message if response.status == 0 else b""
    if response.status == 0 and imprint != bytes.fromhex(sha256_hex):
        raise TokenRefused(f"the time-stamp is for another hash ({imprint.hex()[:16]}…)")
    try:
        builder.build().verify(response, bytes.fromhex(sha256_hex))
    except VerificationError as exc:
        why = str(exc).split("ErrorStack")[0].strip(" :")
        raise TokenRefused(f"bad signature or untrusted certificate ({why})") from exc
    return response


def time_of(response: TimeStampResponse) -> datetime:
    moment = response.tst_info.gen_time
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def http_client(timeout: float) -> httpx.Client:
    """The one client time-stamp requests go through: a time limit, no redirects."""
    return httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT})
