"""The same people in every test (healthchecks' alice/bob/charlie habit).

Eastside: Elena (coordinator), Dario (dispatcher), Rosa (responder), Lucas (legal).
Westside: Wanda (coordinator). Ada is the coalition admin. Nadia belongs to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from vecinos.accounts import passwords, totp
from vecinos.accounts.members import create_organization, the_coalition
from vecinos.accounts.models import Member, Organization, Role, RoleGrant
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import transaction

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    email: str
    member_id: int
    totp_secret: str | None


@dataclass
class Cast:
    clock: FrozenClock
    eastside: int
    westside: int
    people: dict[str, Person] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Person:
        try:
            return self.people[name]
        except KeyError:
            raise AttributeError(name) from None

    def totp_code(self, person: Person) -> str:
        assert person.totp_secret is not None
        return totp.code_at(person.totp_secret, self.clock.now())

    def sign_in(self, client: TestClient | httpx.Client, person: Person) -> str:
        """Password, then TOTP where needed; returns the session's CSRF token."""
        answer = client.post("/api/auth/login", json={"email": person.email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        if person.totp_secret:
            answer = client.post(
                "/api/auth/totp",
                json={"code": self.totp_code(person)},
                headers={"X-CSRF-Token": answer.json()["csrf_token"]},
            )
            assert answer.status_code == 200, answer.text
            self.clock.advance(seconds=30)  # the next code for this person is a new one
        token: str = answer.json()["csrf_token"]
        client.headers["X-CSRF-Token"] = token
        return token


def build_cast(sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock) -> Cast:
    encryptor = Encryptor(settings.secret, "totp", settings.old_secrets)
    password_hash = passwords.hash_password(PASSWORD)
    now = clock.now()
    with transaction(sessions) as db:
        coalition = the_coalition(db, "Test coalition")
        east = create_organization(db, coalition, "Eastside Response", "eastside", now=now)
        west = create_organization(db, coalition, "Westside Response", "westside", now=now)
        cast = Cast(clock=clock, eastside=east.id, westside=west.id)
        plan: list[tuple[str, Organization | None, list[Role]]] = [
            ("elena", east, [Role.COORDINATOR]),
            ("dario", east, [Role.DISPATCHER]),
            ("rosa", east, [Role.RESPONDER]),
            ("lucas", east, [Role.LEGAL]),
            ("wanda", west, [Role.COORDINATOR]),
            ("ada", west, [Role.ADMIN]),
            ("nadia", None, []),
        ]
        for name, org, roles in plan:
            member = Member(
                email=f"{name}@example.org",
                display_name=name.title(),
                password_hash=password_hash,
                created_at=now,
            )
            if org is not None:
                member.grants = [
                    RoleGrant(organization_id=org.id, role=r, granted_at=now) for r in roles
                ]
            secret = None
            if member.needs_totp:
                secret = totp.new_secret()
                member.totp_secret = encryptor.encrypt(secret)
                member.totp_enabled_at = now
            db.add(member)
            db.flush()
            cast.people[name] = Person(member.email, member.id, secret)
    return cast
