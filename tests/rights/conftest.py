"""A coalition's rights kit as deployments configure it: packaged content plus an override file
with a hotline and a legal partner, and the public URL the QR codes point at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET
from vecinos.config import Settings
from vecinos.rights.kit import RightsKit, load_kit

HOTLINE = "+1 213 555 0100"
PUBLIC_URL = "https://vecinos.example.org"
OVERRIDE = f"""
hotline: "{HOTLINE}"
legal_partners:
  - name: Community Legal Aid Clinic
    phone: "+1 213 555 0199"
    url: https://legal-aid.example.org
"""


def write_override(folder: Path, text: str = OVERRIDE, name: str = "coalition.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def kit_settings(folder: Path, override: str = OVERRIDE) -> Settings:
    return Settings(
        secret_key=TEST_SECRET,
        data_dir=folder,
        public_url=PUBLIC_URL,
        rights_overrides=write_override(folder / "rights", override),
    )


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory) -> RightsKit:
    return load_kit(kit_settings(tmp_path_factory.mktemp("kit")))
