"""People for the hardening tests: somebody who holds every role, so no policy stops a request
before the code under test sees it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import PASSWORD, Cast, Person
from vecinos.accounts import passwords, totp
from vecinos.accounts.models import Member, Role, RoleGrant
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import transaction


def add_person(
    sessions: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
    name: str,
    grants: list[tuple[int, Role]],
) -> Person:
    """A member with these (organization, role) grants, and TOTP when a role needs it."""
    now = cast.clock.now()
    with transaction(sessions) as db:
        member = Member(
            email=f"{name}@example.org",
            display_name=name.title(),
            password_hash=passwords.hash_password(PASSWORD),
            created_at=now,
            grants=[RoleGrant(organization_id=o, role=r, granted_at=now) for o, r in grants],
        )
        secret = None
        if member.needs_totp:
            secret = totp.new_secret()
            member.totp_secret = Encryptor(settings.secret, "totp").encrypt(secret)
            member.totp_enabled_at = now
        db.add(member)
        db.flush()
        person = Person(member.email, member.id, secret)
    cast.people[name] = person
    return person


def everything_everywhere(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings
) -> Person:
    """Every role in both organizations."""
    grants = [(org, role) for org in (cast.eastside, cast.westside) for role in Role]
    return add_person(sessions, cast, settings, "omni", grants)


def probing_client(
    app: FastAPI, cast: Cast, sessions: sessionmaker[Session], settings: Settings, signed_in: bool
) -> TestClient:
    """A client that gets server errors back as responses (to list every one, not stop at the
    first), anonymous or holding every role."""
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    if signed_in:
        cast.sign_in(client, everything_everywhere(sessions, cast, settings))
    return client
