"""Where media bytes live, behind one small interface: a local directory or an S3 bucket.

Keys are plain relative paths such as `incidents/7/media/12-4f0c9a1e2b3d/original`. Writes
are atomic (a half-written original never appears under its key) and reads stream, so a long
video is never held in memory. A file stored for a transaction that then rolls back is deleted
(`undo_on_rollback`): no photo outlives the record that would have let retention find it.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from vecinos.config import Settings
from vecinos.db import AtTransactionEnd

log = logging.getLogger(__name__)
READ_SIZE = 1024 * 1024


class Storage(Protocol):
    def put_file(self, key: str, source: Path) -> None: ...
    def put_bytes(self, key: str, data: bytes) -> None: ...
    def read(self, key: str) -> Iterator[bytes]: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


def check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files under one directory; each write is fsynced and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put_file(self, key: str, source: Path) -> None:
        with source.open("rb") as reader:
            self._write(key, lambda out: shutil.copyfileobj(reader, out, READ_SIZE))

    def put_bytes(self, key: str, data: bytes) -> None:
        self._write(key, lambda out: out.write(data))

    def _write(self, key: str, fill: Any) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(descriptor, "wb") as out:
                fill(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> Iterator[bytes]:
        with self._path(key).open("rb") as reader:
            while block := reader.read(READ_SIZE):
                yield block

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


class S3Storage:
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph, Garage) through boto3."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=settings.evidence_s3_endpoint_url or None,
            region_name=settings.evidence_s3_region,
            aws_access_key_id=settings.evidence_s3_access_key_id or None,
            aws_secret_access_key=settings.evidence_s3_secret_access_key.get_secret_value() or None,
        )
        return cls(client, settings.evidence_s3_bucket, settings.evidence_s3_prefix)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put_file(self, key: str, source: Path) -> None:
        self.client.upload_file(str(source), self.bucket, self._key(key))

    def put_bytes(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def read(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        try:
            while block := body.read(READ_SIZE):
                yield block
        finally:
            body.close()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


@lru_cache(maxsize=8)
def _s3_client(endpoint: str, region: str, access_key: str, secret_key: str) -> Any:
    """One client per configuration: making one is slow, and clients are thread-safe."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint or None,
        region_name=region,
        aws_access_key_id=access_key or None,
        aws_secret_access_key=secret_key or None,
    )


def storage_for(settings: Settings) -> Storage:
    if settings.evidence_storage == "s3":
        return S3Storage.from_settings(settings)
    return LocalStorage(settings.data_dir / "evidence")


def read_all(storage: Storage, key: str) -> bytes:
    return b"".join(storage.read(key))


def undo_on_rollback(db: Session, storage: Storage, key: str) -> None:
    """Delete the file stored under `key` if this session's transaction rolls back.

    Only for keys no other transaction can write: a deterministic key (a recording's chunk,
    sent twice at once) could delete what the other, committed request stored.
    """
    _stored.add(db, (storage, key))


def _delete(_: Session, stored: list[tuple[Storage, str]]) -> None:
    for storage, key in stored:
        try:
            storage.delete(key)
        except Exception:  # the rollback stands; the file is named for someone to remove
            log.exception("could not delete %s, stored for a transaction that rolled back", key)


_stored = AtTransactionEnd[tuple[Storage, str]]("stored_in_transaction", on_rollback=_delete)
