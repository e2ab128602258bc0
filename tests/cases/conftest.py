"""Cases fixtures: a partners file with a lawyer's age key, an Eastside incident, clients."""

from __future__ import annotations

from pathlib import Path

import pyrage
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.clients import signed_in
from tests.dispatch.factories import make_incident
from vecinos.config import Settings

__all__ = ["signed_in"]


@pytest.fixture(scope="session")
def lawyer_key() -> pyrage.x25519.Identity:
    """The partner lawyer's private key: only the test (the lawyer) holds it."""
    return pyrage.x25519.Identity.generate()


@pytest.fixture
def settings(settings: Settings, tmp_path: Path, lawyer_key: pyrage.x25519.Identity) -> Settings:
    partners = tmp_path / "partners.yaml"
    partners.write_text(
        f"""
partners:
  - key: eastside-law
    name: Eastside Immigrant Law Clinic
    kind: legal
    phone: "+1 213 555 0199"
    age_recipient: {lawyer_key.to_public()}
  - key: valley-bond
    name: Valley Community Bond Fund
    kind: bond_fund
facilities:
  - key: county-jail
    name: County jail, central intake
"""
    )
    return settings.model_copy(update={"case_partners_file": partners})


@pytest.fixture
def incident(sessions: sessionmaker[Session], cast: Cast) -> int:
    return make_incident(sessions, cast)
