"""A case leaves vecinos only encrypted to a partner lawyer's age key (the test is the lawyer
and decrypts it), and a closed case is purged on schedule unless its incident is held."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pyrage
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from vecinos.accounts.models import AuditEvent
from vecinos.cases.models import FollowUpCase
from vecinos.cases.partners import directory
from vecinos.cases.purge import purge_closed
from vecinos.config import ConfigError, Settings
from vecinos.db import transaction
from vecinos.evidence import holds

SignedIn = Callable[[Person], TestClient]


@pytest.fixture
def case_url(signed_in: SignedIn, cast: Cast, incident: int) -> str:
    body = {"incident_id": incident, "name": "Tomás", "family_contact": "Sister, 323 555 0172",
            "facility_key": "county-jail", "next_steps": "Find the booking number"}  # fmt: skip
    answer = signed_in(cast.lucas).post(f"/api/organizations/{cast.eastside}/cases", json=body)
    assert answer.status_code == 201, answer.text
    return f"/api/organizations/{cast.eastside}/cases/{answer.json()['id']}"


def test_an_export_opens_only_with_the_partners_private_key(
    signed_in: SignedIn, cast: Cast, case_url: str, lawyer_key: pyrage.x25519.Identity,
    db: Session,
) -> None:  # fmt: skip
    answer = signed_in(cast.lucas).post(f"{case_url}/export", json={"partner": "eastside-law"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/octet-stream"
    assert ".json.age" in answer.headers["content-disposition"]
    assert b"Tom" not in answer.content and answer.content.startswith(b"age-encryption.org/v1")
    document = json.loads(pyrage.decrypt(answer.content, [lawyer_key]))
    assert document["format"] == "vecinos-followup-case/1"
    assert document["organization"] == "Eastside Response"
    case = document["case"]
    assert case["name"] == "Tomás" and case["family_contact"] == "Sister, 323 555 0172"
    assert case["facility"] == "County jail, central intake"
    assert case["next_steps"] == "Find the booking number"
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(answer.content, [pyrage.x25519.Identity.generate()])  # anyone else
    exported = db.scalars(select(AuditEvent).where(AuditEvent.action == "cases.exported")).one()
    assert exported.actor_id == cast.lucas.member_id


def test_a_pasted_key_works_and_bad_keys_are_refused(
    signed_in: SignedIn, cast: Cast, case_url: str, db: Session
) -> None:
    lucas = signed_in(cast.lucas)
    other_lawyer = pyrage.x25519.Identity.generate()
    pasted = lucas.post(f"{case_url}/export", json={"recipient": str(other_lawyer.to_public())})
    assert json.loads(pyrage.decrypt(pasted.content, [other_lawyer]))["case"]["name"] == "Tomás"
    for body, code in (
        ({"recipient": "age1notakeyatall"}, "invalid_public_key"),
        ({"recipient": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"}, "invalid_public_key"),
        ({"partner": "valley-bond"}, "partner_has_no_key"),
        ({"partner": "someone"}, "unknown_partner"),
        ({}, "recipient_required"),
    ):
        answer = lucas.post(f"{case_url}/export", json=body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == code
    exports = db.scalars(select(AuditEvent).where(AuditEvent.action == "cases.exported")).all()
    assert len(exports) == 1  # only the one that left


def test_non_legal_members_cannot_export(signed_in: SignedIn, cast: Cast, case_url: str) -> None:
    answer = signed_in(cast.dario).post(f"{case_url}/export", json={"partner": "eastside-law"})
    assert answer.status_code == 403 and b"age-encryption" not in answer.content


def test_a_closed_case_is_purged_on_schedule_unless_held(
    signed_in: SignedIn, cast: Cast, case_url: str, incident: int, settings: Settings,
    sessions: sessionmaker[Session], db: Session,
) -> None:  # fmt: skip
    lucas = signed_in(cast.lucas)
    closed = lucas.patch(case_url, json={"status": "closed"}).json()
    assert closed["purge_at"] is not None
    now = cast.clock.now()
    window = timedelta(days=settings.case_retention_days)
    with transaction(sessions) as session:
        assert purge_closed(session, now + window - timedelta(minutes=1), settings) == 0
        holds.place(session, incident, cast.eastside, "Habeas petition", actor_id=None, now=now)
    with transaction(sessions) as session:
        assert purge_closed(session, now + window + timedelta(days=1), settings) == 0  # held
    assert db.scalars(select(FollowUpCase)).one().status == "closed"
    with transaction(sessions) as session:
        holds.release(session, incident, cast.eastside, actor_id=None, now=now)
    with transaction(sessions) as session:
        assert purge_closed(session, now + window + timedelta(days=1), settings) == 1
    db.expire_all()
    assert db.scalars(select(FollowUpCase)).all() == []
    purged = db.scalars(select(AuditEvent).where(AuditEvent.action == "cases.purged")).one()
    assert purged.organization_id == cast.eastside


def test_reopening_stops_the_clock(signed_in: SignedIn, cast: Cast, case_url: str) -> None:
    lucas = signed_in(cast.lucas)
    lucas.patch(case_url, json={"status": "closed"})
    reopened = lucas.patch(case_url, json={"status": "transferred"}).json()
    assert reopened["closed_at"] is None and reopened["purge_at"] is None


def test_a_partners_file_with_a_bad_key_names_the_file(tmp_path: Path, settings: Settings) -> None:
    bad = tmp_path / "bad-partners.yaml"
    bad.write_text(
        "partners:\n  - {key: clinic, name: A Clinic, kind: legal, age_recipient: nope}\n"
    )
    named = r"(?s)bad-partners\.yaml.*age_recipient.*age X25519 public key"
    with pytest.raises(ConfigError, match=named):
        directory(settings.model_copy(update={"case_partners_file": bad}))
