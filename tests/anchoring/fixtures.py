"""The local time-stamping authority as a fixture, and settings that point at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.anchoring.tsa_server import LocalTsa
from vecinos.config import Settings


@pytest.fixture
def local_tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    with LocalTsa(tmp_path_factory.mktemp("tsa")) as server:
        yield server


def with_tsa(settings: Settings, tsa: LocalTsa, folder: Path) -> Settings:
    trust = folder / "tsa-chain.pem"
    trust.write_bytes(tsa.authority.trust_pem)
    return settings.model_copy(update={"tsa_url": tsa.url, "tsa_certificate": trust})
