"""Members' own contacts: Web Push beside SMS and e-mail, each sealed under the keyring's
member-contact keys, renewed with them, and crypto-shredded once removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.servers import HttpStandIn, PushInbox
from tests.cast import Cast, Person
from tests.coverage.factories import sign_up
from tests.coverage.sent import deliver, queued, texts_to
from tests.coverage.test_messages import QUIET, leave_contacts, run_reminders, school_watch_at_two
from vecinos import keyring
from vecinos.config import Settings
from vecinos.coverage import contacts
from vecinos.coverage.models import MemberContact
from vecinos.crypto import Encryptor
from vecinos.db import transaction
from vecinos.worker.registry import load_jobs

Clients = Callable[[Person], TestClient]
ROSA_PHONE = "+12135550199"


def rotate(sessions: sessionmaker[Session], settings: Settings, cast: Cast) -> int:
    """The worker's registered job, in one transaction (keys go after it commits)."""
    (job,) = [j for j in load_jobs() if j.name == "coverage.rotate_contact_keys"]
    with transaction(sessions) as db:
        return job.run(db, cast.clock.now(), settings)


def rows_of(db: Session, person: Person) -> list[MemberContact]:
    db.rollback()  # a fresh snapshot
    query = select(MemberContact).where(MemberContact.member_id == person.member_id)
    return list(db.scalars(query.order_by(MemberContact.channel)))


def test_a_member_gets_reminders_as_web_push_in_her_language(
    sessions: sessionmaker[Session],
    pushing: Settings,
    push_service: tuple[PushInbox, HttpStandIn],
    cast: Cast,
    signed_in: Clients,
    db: Session,
) -> None:
    inbox, service = push_service
    slot = school_watch_at_two(sessions, cast, pushing)
    signup_id = sign_up(sessions, cast, cast.rosa, slot.id)
    rosa = signed_in(cast.rosa)
    assert rosa.put("/api/me/coverage-preferences", json=QUIET).status_code == 204
    subscription = inbox.subscription(f"{service.url}/push/rosa-phone")
    answer = rosa.put(
        "/api/me/contacts/push", json={"push_subscription": subscription, "language": "es"}
    )
    assert answer.status_code == 204, answer.text
    assert rosa.get("/api/me/contacts").json() == [{"channel": "push", "language": "es"}]
    (row,) = rows_of(db, cast.rosa)
    assert b"rosa-phone" not in row.contact_encrypted  # sealed, not in clear

    assert run_reminders(sessions, pushing, cast.clock) == 1
    assert run_reminders(sessions, pushing, cast.clock) == 0
    (delivery,) = queued(db, "coverage.day")
    assert delivery.channel == "push" and delivery.language == "es"
    assert deliver(sessions, pushing, cast.clock) == 1
    assert deliver(sessions, pushing, cast.clock) == 0
    assert inbox.problems == []  # encrypted to her keys and VAPID-signed, as browsers require
    (received,) = inbox.received
    assert (
        "recordatorio, está de turno en School drop-off watch (Ninth Street School)"
        in (received["body"])
    )
    assert f"/coverage#signup-{signup_id}" in received["body"]
    assert received["title"] == "Su próximo turno"
    (settled,) = queued(db, "coverage.day")
    assert (settled.contact_encrypted, settled.message_encrypted) == (None, None)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"language": "es"}, "invalid_push"),
        ({"push_subscription": "elsewhere", "language": "es"}, "invalid_input"),
        ("foreign", "push_service_refused"),
        ({"contact": "+12135550199", "language": "es", "channel": "x"}, "invalid_input"),
    ],
)
def test_a_bad_push_subscription_is_refused_and_nothing_is_kept(
    pushing: Settings,
    cast: Cast,
    signed_in: Clients,
    db: Session,
    body: Any,
    code: str,
) -> None:
    rosa = signed_in(cast.rosa)
    leave_contacts(rosa, ("(213) 555-0199", "es"), None)
    if body == "foreign":  # a well-formed subscription of a push service we do not send to
        keys = {"p256dh": "B" * 87, "auth": "A" * 22}
        body = {"push_subscription": {"endpoint": "https://push.example.net/x", "keys": keys}}
        body["language"] = "es"
    answer = rosa.put("/api/me/contacts/push", json=body, headers={"Accept-Language": "es"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == code
    assert rosa.get("/api/me/contacts").json() == [{"channel": "sms", "language": "es"}]


def test_contacts_are_sealed_under_member_contact_keys_renewed_and_shredded_when_removed(
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    cast: Cast,
    signed_in: Clients,
    db: Session,
) -> None:
    vault = keyring.member_contacts(wired)
    rosa, dario = signed_in(cast.rosa), signed_in(cast.dario)
    leave_contacts(rosa, ("(213) 555-0199", "es"), None)
    leave_contacts(dario, None, ("dario.turnos@example.org", "es"))
    (rosa_row,) = rows_of(db, cast.rosa)
    first_key = vault.key_id_for(cast.clock.now())
    assert rosa_row.contact_key == first_key and first_key.startswith("member-contact-")
    assert bytes(rosa_row.contact_encrypted).startswith(f"v1:{first_key}:".encode())
    assert vault.open(rosa_row.contact_encrypted) == ROSA_PHONE
    copy = bytes(rosa_row.contact_encrypted)  # what a backup or a dead row would keep
    assert rotate(sessions, wired, cast) == 0  # nothing behind, nothing over

    # She removes her number; Dario keeps his address. A key period later, the job moves
    # his to the new key and destroys the old one, which nobody uses any more.
    assert rosa.delete("/api/me/contacts/sms").status_code == 204
    cast.clock.advance(seconds=wired.subscriber_key_hours * 3600 + 16 * 60)
    assert rotate(sessions, wired, cast) == 1
    assert first_key not in vault.key_ids()
    with pytest.raises(keyring.KeyDestroyed):
        vault.open(copy)
    (dario_row,) = rows_of(db, cast.dario)
    assert dario_row.contact_key == vault.key_id_for(cast.clock.now()) != first_key
    with transaction(sessions) as tx:
        (reached,) = contacts.reachable(tx, [cast.dario.member_id], wired)
    assert reached.contact == "dario.turnos@example.org"


def test_contacts_sealed_before_the_keyring_still_open_and_are_moved_under_it(
    sessions: sessionmaker[Session], settings: Settings, cast: Cast, db: Session
) -> None:
    old = Encryptor(settings.secret, "member-contact", settings.old_secrets)
    with transaction(sessions) as tx:
        tx.add(
            MemberContact(
                member_id=cast.rosa.member_id,
                channel="sms",
                contact_encrypted=old.encrypt(ROSA_PHONE),
                contact_key=None,
                language="es",
                created_at=cast.clock.now(),
            )
        )
    with transaction(sessions) as tx:
        assert [r.contact for r in contacts.reachable(tx, [cast.rosa.member_id], settings)] == [
            ROSA_PHONE
        ]
    assert rotate(sessions, settings, cast) == 1
    (row,) = rows_of(db, cast.rosa)
    assert row.contact_key == keyring.member_contacts(settings).key_id_for(cast.clock.now())
    assert keyring.member_contacts(settings).open(row.contact_encrypted) == ROSA_PHONE
    assert rotate(sessions, settings, cast) == 0


def test_a_member_whose_key_was_lost_is_simply_not_reached(
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    cast: Cast,
    signed_in: Clients,
    db: Session,
) -> None:
    leave_contacts(signed_in(cast.rosa), ("(213) 555-0199", "es"), None)
    (row,) = rows_of(db, cast.rosa)
    assert row.contact_key is not None
    keyring.member_contacts(wired).destroy(row.contact_key)
    with transaction(sessions) as tx:
        assert contacts.reachable(tx, [cast.rosa.member_id], wired) == []
    assert texts_to(twilio, ROSA_PHONE) == []
