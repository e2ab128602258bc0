"""Both storages keep the same promises; the S3 one is checked against a real S3-compatible
HTTP server on loopback (moto's server), through boto3 as in production."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer
from pydantic import SecretStr

from tests.cast import Cast, Person
from tests.evidence.helpers import photo_with_gps, upload
from vecinos.config import Settings
from vecinos.evidence.signing import signing_key
from vecinos.evidence.storage import LocalStorage, S3Storage, Storage, read_all, storage_for
from vecinos.evidence.verify import verify_bundle

SignedIn = Callable[[Person], TestClient]
BUCKET = "vecinos-evidence"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server._server.server_port  # type: ignore[union-attr]  # chosen by the OS
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_settings(settings: Settings, endpoint: str) -> Settings:
    settings.evidence_storage = "s3"
    settings.evidence_s3_endpoint_url = endpoint
    settings.evidence_s3_bucket = BUCKET
    settings.evidence_s3_access_key_id = "test-access"
    settings.evidence_s3_secret_access_key = SecretStr("test-secret")
    settings.evidence_s3_prefix = "deployment-1"
    return settings


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path, settings: Settings) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "store")
    endpoint: str = request.getfixturevalue("s3_endpoint")
    store = storage_for(s3_settings(settings, endpoint))
    assert isinstance(store, S3Storage)
    store.client.create_bucket(Bucket=BUCKET)
    return store


def test_the_storage_contract(storage: Storage, tmp_path: Path) -> None:
    assert not storage.exists("incidents/1/media/1/original")
    storage.put_bytes("incidents/1/media/1/original", b"first")
    source = tmp_path / "big"
    source.write_bytes(bytes(range(256)) * 9000)  # more than one read block
    storage.put_file("incidents/1/media/2/original", source)
    assert storage.exists("incidents/1/media/1/original")
    assert read_all(storage, "incidents/1/media/1/original") == b"first"
    assert read_all(storage, "incidents/1/media/2/original") == source.read_bytes()
    storage.put_bytes("incidents/1/media/1/original", b"second")  # replaced whole
    assert read_all(storage, "incidents/1/media/1/original") == b"second"
    storage.delete("incidents/1/media/1/original")
    storage.delete("incidents/1/media/1/original")  # deleting twice is fine
    assert not storage.exists("incidents/1/media/1/original")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/./b", ""])
def test_keys_cannot_leave_the_store(key: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        LocalStorage(tmp_path).put_bytes(key, b"x")


def test_upload_and_export_through_s3(
    s3_endpoint: str, settings: Settings, signed_in: SignedIn, cast: Cast, incident: int
) -> None:
    store = storage_for(s3_settings(settings, s3_endpoint))
    assert isinstance(store, S3Storage)
    store.client.create_bucket(Bucket=BUCKET)
    photo = photo_with_gps()
    media = upload(signed_in(cast.rosa), incident, photo).json()
    folder = f"deployment-1/incidents/{incident}/media/{media['id']}-"  # then a random part
    listed = store.client.list_objects_v2(Bucket=BUCKET, Prefix=folder)["Contents"]
    (key,) = [item["Key"] for item in listed if item["Key"].endswith("/original")]
    assert store.client.get_object(Bucket=BUCKET, Key=key)["Body"].read() == photo
    assert not (settings.data_dir / "evidence").exists()  # nothing on local disk
    assert signed_in(cast.lucas).get(f"/api/media/{media['id']}/original").content == photo
    bundle = signed_in(cast.lucas).get(f"/api/incidents/{incident}/export")
    verdict = verify_bundle(io.BytesIO(bundle.content), signing_key(settings).public_key())
    assert verdict.ok, verdict.problem
