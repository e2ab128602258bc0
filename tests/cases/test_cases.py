"""Follow-up cases: opened from an incident by legal support, every read audited, the private
part encrypted at rest, refused to everyone else (and the refusal audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast, Person
from tests.dispatch.factories import make_incident
from vecinos.accounts.models import AuditEvent
from vecinos.cases.models import FollowUpCase
from vecinos.cases.private import encryptor, unseal
from vecinos.config import Settings

SignedIn = Callable[[Person], TestClient]
CONTACT = "Sister, +1 323 555 0172"


def cases_url(cast: Cast, organization_id: int | None = None) -> str:
    return f"/api/organizations/{organization_id or cast.eastside}/cases"


def open_case(lucas: TestClient, cast: Cast, incident: int, **extra: Any) -> Any:
    body = {"incident_id": incident, "name": "Tomás", "family_contact": CONTACT} | extra
    return lucas.post(cases_url(cast), json=body)


def actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_legal_opens_reads_and_updates_a_case(
    signed_in: SignedIn, cast: Cast, incident: int, db: Session
) -> None:
    lucas = signed_in(cast.lucas)
    opened = open_case(lucas, cast, incident, facility_key="adelanto", referral_key="valley-bond")
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["name"] == "Tomás" and case["family_contact"] == CONTACT
    assert case["facility"] == "Adelanto ICE Processing Center (Adelanto)"
    assert case["referral"] == "Valley Community Bond Fund" and case["status"] == "open"
    assert case["incident_id"] == incident  # date and place of the arrest come from it
    assert "34.05220, -118.24370" in case["place"]

    url = f"{cases_url(cast)}/{case['id']}"
    changed = lucas.patch(
        url,
        json={"status": "referred", "facility_key": None, "facility_other": "Station 12 holding",
              "next_steps": "Bond hearing request", "family_contact": None},
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["facility"] == "Station 12 holding" and body["family_contact"] is None
    assert body["status"] == "referred" and body["next_steps"] == "Bond hearing request"
    assert body["name"] == "Tomás"  # untouched fields keep their value

    assert lucas.get(url).json()["id"] == case["id"]
    assert [c["id"] for c in lucas.get(cases_url(cast)).json()] == [case["id"]]
    audited = db.scalars(select(AuditEvent).where(AuditEvent.action.like("cases.%"))).all()
    assert [e.action for e in audited] == [
        "cases.opened", "cases.updated", "cases.viewed", "cases.listed",
    ]  # fmt: skip
    assert all(e.actor_id == cast.lucas.member_id for e in audited)


def test_the_private_part_is_encrypted_at_rest(
    signed_in: SignedIn, cast: Cast, incident: int, db: Session, settings: Settings
) -> None:
    lucas = signed_in(cast.lucas)
    open_case(lucas, cast, incident, notes="Needs insulin daily")
    stored = db.scalars(select(FollowUpCase)).one()
    # Each secret holds a space or an accent, which a base64 token never does: a short one
    # such as "Tom" turns up in random ciphertext about once in a thousand runs.
    secrets = ("Tomás", "555 0172", "Needs insulin daily")
    columns = [str(getattr(stored, c.key)) for c in FollowUpCase.__table__.columns]
    for secret in secrets:
        assert secret.encode() not in stored.private_ciphertext
        assert not any(secret in value for value in columns)
    sealed = unseal(stored.private_ciphertext, encryptor(settings))
    assert (sealed.name, sealed.family_contact, sealed.notes) == ("Tomás", CONTACT, secrets[2])


@pytest.mark.parametrize(
    ("extra", "status", "code"),
    [
        ({"facility_key": "nowhere"}, 422, "unknown_facility"),
        ({"referral_key": "some-firm"}, 422, "unknown_partner"),
        ({"name": "   "}, 422, "name_required"),
        ({"immigration_status": "pending"}, 422, "invalid_input"),  # no such field, ever
        ({"criminal_history": "none"}, 422, "invalid_input"),
        ({"incident_id": 987654}, 404, "incident_not_found"),
    ],
)
def test_bad_cases_are_refused_and_nothing_is_kept(
    signed_in: SignedIn, cast: Cast, incident: int, db: Session, extra: dict[str, Any],
    status: int, code: str,
) -> None:  # fmt: skip
    answer = open_case(signed_in(cast.lucas), cast, incident, **extra)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    assert db.scalars(select(FollowUpCase)).all() == []


def test_a_case_on_another_organizations_incident_is_refused(
    signed_in: SignedIn, cast: Cast, sessions: sessionmaker[Session], db: Session
) -> None:
    for owner in (cast.westside, None):
        other = make_incident(sessions, cast, organization_id=owner)
        answer = open_case(signed_in(cast.lucas), cast, other)
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "incident_of_another_organization"
    assert db.scalars(select(FollowUpCase)).all() == []


@pytest.mark.parametrize("who", ["dario", "rosa", "elena", "wanda", "nadia"])
def test_everyone_but_legal_is_refused_and_the_refusal_is_audited(
    signed_in: SignedIn, cast: Cast, incident: int, db: Session, who: str
) -> None:
    case_id = open_case(signed_in(cast.lucas), cast, incident).json()["id"]
    person = cast.people[who]
    client = signed_in(person)
    for answer in (
        client.get(f"{cases_url(cast)}/{case_id}"),
        client.get(cases_url(cast)),
        client.patch(f"{cases_url(cast)}/{case_id}", json={"status": "closed"}),
    ):
        assert answer.status_code == 403, answer.text
        assert "Tomás" not in answer.text
    refusals = db.scalars(select(AuditEvent).where(AuditEvent.action == "cases.refused")).all()
    assert len(refusals) == 3
    assert {r.actor_id for r in refusals} == {person.member_id}
    assert {r.detail["asked_organization_id"] for r in refusals} == {cast.eastside}
    assert "cases.viewed" not in actions(db)


def test_a_case_is_found_only_under_its_own_organization(
    signed_in: SignedIn, cast: Cast, incident: int
) -> None:
    case_id = open_case(signed_in(cast.lucas), cast, incident).json()["id"]
    lucas = signed_in(cast.lucas)
    assert lucas.get(f"{cases_url(cast, cast.westside)}/{case_id}").status_code == 403
    missing = lucas.get(f"{cases_url(cast)}/{case_id + 1}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "case_not_found"
