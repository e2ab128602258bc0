"""Invites are the only way in: single use, expiring, unforgeable, all-or-nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.cast import PASSWORD, Cast
from vecinos.accounts.models import Invite, Member, RoleGrant

NEW_PASSWORD = "a long and unusual phrase 42"


def invite(
    client: TestClient, cast: Cast, email: str = "new@example.org", roles: list[str] | None = None
) -> str:
    answer = client.post(
        f"/api/organizations/{cast.eastside}/invites",
        json={"email": email, "roles": roles or ["responder"]},
    )
    assert answer.status_code == 201, answer.text
    url: str = answer.json()["invite_url"]
    assert url.startswith("https://vecinos.test/join#")
    return url.split("#", 1)[1]


def accept(
    client: TestClient, token: str, password: str = NEW_PASSWORD, name: str = "Noemi Test"
) -> tuple[int, dict[str, object]]:
    answer = client.post(
        "/api/invites/accept", json={"token": token, "display_name": name, "password": password}
    )
    return answer.status_code, answer.json()


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_coordinator_invites_and_the_invitee_joins(
    client: TestClient, cast: Cast, db: Session
) -> None:
    cast.sign_in(client, cast.elena)
    token = invite(client, cast, roles=["responder", "legal"])
    newcomer = TestClient(client.app, base_url="https://testserver")
    status, body = accept(newcomer, token)
    assert status == 201 and body["organization_id"] == cast.eastside
    member = db.scalar(select(Member).where(Member.email == "new@example.org"))
    assert member is not None
    assert sorted(g.role for g in member.grants) == ["legal", "responder"]
    roster = client.get(f"/api/organizations/{cast.eastside}/members").json()
    assert "Noemi Test" in [m["display_name"] for m in roster]


def test_an_invite_works_once(client: TestClient, cast: Cast, db: Session) -> None:
    cast.sign_in(client, cast.elena)
    token = invite(client, cast)
    assert accept(client, token)[0] == 201
    status, body = accept(client, token)
    assert status == 410 and body["error"]["code"] == "invite_used"  # type: ignore[index]
    assert count(db, Member) == 8


def test_an_expired_invite_is_refused(client: TestClient, cast: Cast, db: Session) -> None:
    cast.sign_in(client, cast.elena)
    token = invite(client, cast)
    cast.clock.advance(hours=73)
    status, body = accept(client, token)
    assert status == 410 and body["error"]["code"] == "invite_expired"  # type: ignore[index]
    assert count(db, Member) == 7


def test_a_forged_invite_is_refused(client: TestClient, cast: Cast) -> None:
    status, body = accept(client, "made-up-token")
    assert status == 404 and body["error"]["code"] == "invite_invalid"  # type: ignore[index]


def test_a_revoked_invite_is_refused(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.elena)
    token = invite(client, cast)
    pending = client.get(f"/api/organizations/{cast.eastside}/invites").json()
    revoked = client.delete(f"/api/organizations/{cast.eastside}/invites/{pending[0]['id']}")
    assert revoked.status_code == 204
    assert accept(client, token)[0] == 404


def test_a_weak_password_writes_nothing(client: TestClient, cast: Cast, db: Session) -> None:
    cast.sign_in(client, cast.elena)
    token = invite(client, cast)
    for weak in ("short", "password1234", "aaaaaaaaaaaaaaa", "noemitest-is-me"):
        status, body = accept(client, token, password=weak)
        assert status == 422, weak
        assert body["error"]["code"] == "weak_password"  # type: ignore[index]
    assert count(db, Member) == 7
    assert count(db, RoleGrant) == 6
    assert db.scalar(select(Invite.accepted_at)) is None
    assert accept(client, token)[0] == 201  # the invite still works afterwards


def test_an_unknown_role_is_refused(client: TestClient, cast: Cast, db: Session) -> None:
    cast.sign_in(client, cast.elena)
    answer = client.post(
        f"/api/organizations/{cast.eastside}/invites",
        json={"email": "x@example.org", "roles": ["sheriff"]},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "unknown_role"
    assert count(db, Invite) == 0


def test_only_a_coalition_admin_grants_admin(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.elena)
    answer = client.post(
        f"/api/organizations/{cast.eastside}/invites",
        json={"email": "x@example.org", "roles": ["coalition_admin"]},
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "cannot_grant_admin"


def test_a_coordinator_cannot_act_in_another_organization(
    client: TestClient, cast: Cast, db: Session
) -> None:
    cast.sign_in(client, cast.wanda)
    answer = client.post(
        f"/api/organizations/{cast.eastside}/invites",
        json={"email": "x@example.org", "roles": ["responder"]},
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "not_in_organization"
    assert client.get(f"/api/organizations/{cast.eastside}/members").status_code == 403
    assert count(db, Invite) == 0


def test_an_existing_member_joins_a_second_organization_with_their_password(
    client: TestClient, cast: Cast, db: Session
) -> None:
    cast.sign_in(client, cast.elena)
    token = invite(client, cast, email=cast.wanda.email, roles=["dispatcher"])
    assert accept(client, token, password="not wandas password")[0] == 401
    assert accept(client, token, password=PASSWORD)[0] == 201
    wanda = db.get(Member, cast.wanda.member_id)
    assert wanda is not None
    assert {(g.organization_id, g.role) for g in wanda.grants} == {
        (cast.westside, "coordinator"),
        (cast.eastside, "dispatcher"),
    }


def test_the_last_coordinator_cannot_be_removed(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.elena)
    answer = client.put(
        f"/api/organizations/{cast.eastside}/members/{cast.elena.member_id}/roles",
        json={"roles": ["responder"]},
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "last_coordinator"


def test_roles_change_and_members_leave(client: TestClient, cast: Cast) -> None:
    cast.sign_in(client, cast.elena)
    base = f"/api/organizations/{cast.eastside}/members/{cast.rosa.member_id}"
    assert client.put(f"{base}/roles", json={"roles": ["responder", "legal"]}).json() == [
        "legal",
        "responder",
    ]
    assert client.delete(base).status_code == 204
    names = [
        m["display_name"] for m in client.get(f"/api/organizations/{cast.eastside}/members").json()
    ]
    assert "Rosa" not in names
    assert client.delete(base).status_code == 404
    audit = client.get(f"/api/organizations/{cast.eastside}/audit").json()
    assert [e["action"] for e in audit][:2] == ["member.removed", "member.roles_changed"]
