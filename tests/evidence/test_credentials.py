"""C2PA content credentials on the photos of a legal export: a standard C2PA reader finds
the manifest, which names the original's SHA-256; the original stays untouched."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import c2pa
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from tests.evidence.helpers import photo_with_gps, upload
from vecinos.config import ConfigError, Settings
from vecinos.db import transaction
from vecinos.evidence.bundle import write_bundle
from vecinos.evidence.credentials import ASSERTION, configured
from vecinos.evidence.signing import signing_key
from vecinos.evidence.storage import storage_for
from vecinos.evidence.verify import verify_bundle
from vecinos.incidents.models import Incident

SignedIn = Callable[[Person], TestClient]


def _name(common: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common),
         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test coalition")]
    )  # fmt: skip


def signer_chain(folder: Path) -> tuple[Path, bytes]:
    """A throwaway CA and a content-credentials signer (EC P-256) it issued."""
    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def build(
        subject: str, issuer: x509.Name, public: ec.EllipticCurvePublicKey
    ) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer)
            .public_key(public).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        )  # fmt: skip

    ca = (
        build("Test CA", _name("Test CA"), ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        build("Test signer", ca.subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    chain = folder / "c2pa-chain.pem"
    chain.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return chain, pem


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    chain, key = signer_chain(tmp_path)
    return settings.model_copy(
        update={"evidence_c2pa_certificate": chain, "evidence_c2pa_key": SecretStr(key.decode())}
    )


def test_exported_photos_carry_content_credentials(
    signed_in: SignedIn, cast: Cast, incident: int, settings: Settings,
    sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    photo = photo_with_gps()
    media_id = upload(signed_in(cast.rosa), incident, photo).json()["id"]
    out = io.BytesIO()
    with transaction(sessions) as db:
        found = db.get(Incident, incident)
        assert found is not None
        write_bundle(
            db, storage_for(settings), signing_key(settings), found, out,
            now=cast.clock.now(), credentials=configured(settings),
        )  # fmt: skip
    assert verify_bundle(io.BytesIO(out.getvalue()), signing_key(settings).public_key()).ok
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert archive.read(f"media/{media_id}.jpg") == photo  # the original, untouched
        credentialed = archive.read(f"c2pa/{media_id}.jpg")
        entry = next(m for m in json.loads(archive.read("media.json")) if m["id"] == media_id)
    assert entry["c2pa_file"] == f"c2pa/{media_id}.jpg"
    store = json.loads(c2pa.Reader("image/jpeg", io.BytesIO(credentialed)).json())
    active = store["manifests"][store["active_manifest"]]
    facts = next(a["data"] for a in active["assertions"] if a["label"] == ASSERTION)
    assert facts["original_sha256"] == hashlib.sha256(photo).hexdigest()
    assert (facts["media_id"], facts["incident_id"]) == (media_id, incident)
    assert active["claim_generator_info"][0]["name"] == "vecinos"


def test_half_a_configuration_is_an_error(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="go together"):
        configured(settings.model_copy(update={"evidence_c2pa_key": SecretStr("")}))
    assert (
        configured(
            settings.model_copy(
                update={"evidence_c2pa_key": SecretStr(""), "evidence_c2pa_certificate": None}
            )
        )
        is None
    )
