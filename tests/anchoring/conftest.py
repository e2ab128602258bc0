"""Anchoring tests run against a real local time-stamping authority."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.anchoring.fixtures import local_tsa, with_tsa
from tests.anchoring.tsa_server import LocalTsa
from tests.clients import cli_env
from vecinos.config import Settings

__all__ = ["cli_env", "local_tsa"]


@pytest.fixture
def settings(settings: Settings, local_tsa: LocalTsa, tmp_path: Path) -> Settings:
    return with_tsa(settings, local_tsa, tmp_path)
