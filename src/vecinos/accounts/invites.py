"""Invites: the only way in. Single-use, expiring links, sent by a coordinator."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts import audit, passwords
from vecinos.accounts.models import Invite, Member, Role, RoleGrant
from vecinos.accounts.signin import find_member, normalise_email
from vecinos.crypto import new_token, token_hash
from vecinos.errors import Conflict, Forbidden, Gone, InvalidInput, NotAuthenticated, NotFound
from vecinos.i18n import N_
from vecinos.identity import Principal


def parse_roles(names: Iterable[str]) -> list[Role]:
    roles: list[Role] = []
    for name in names:
        try:
            roles.append(Role(name))
        except ValueError:
            raise InvalidInput(
                N_("Unknown role '{role}'. Roles are: {known}."),
                params={"role": name, "known": ", ".join(r.value for r in Role)},
                code="unknown_role",
            ) from None
    if not roles:
        raise InvalidInput(N_("Give at least one role."), code="no_role")
    return sorted(set(roles))


# Who stands above whom: a role covers itself and every role below it. The coalition admin
# covers every role in every organization.
RANK = {Role.RESPONDER: 1, Role.DISPATCHER: 2, Role.LEGAL: 2, Role.COORDINATOR: 3, Role.ADMIN: 4}


def covers(actor: Principal, organization_id: int, role: Role) -> bool:
    """Whether `actor` holds `role`, or a role above it, in the organization."""
    if actor.is_coalition_admin:
        return True
    return any(RANK[held] >= RANK[role] for held in actor.roles_in(organization_id))


def check_may_grant(granter: Principal, organization_id: int, roles: Iterable[Role]) -> None:
    """Coordinators grant roles in their organization; only a coalition admin makes admins."""
    if Role.ADMIN in roles and not granter.is_coalition_admin:
        raise Forbidden(
            N_("Only a coalition admin can grant the coalition admin role."),
            code="cannot_grant_admin",
        )
    if not all(covers(granter, organization_id, role) for role in roles):
        raise Forbidden(N_("You cannot grant a role above your own."), code="outranked")


def create_invite(
    db: Session,
    inviter: Principal,
    organization_id: int,
    email: str,
    role_names: Iterable[str],
    *,
    now: datetime,
    hours: int,
) -> tuple[str, Invite]:
    roles = parse_roles(role_names)
    check_may_grant(inviter, organization_id, roles)
    address = normalise_email(email)
    if "@" not in address or len(address) > 254:
        raise InvalidInput(N_("That is not an e-mail address."), code="invalid_email")
    token = new_token()
    invite = Invite(
        organization_id=organization_id,
        email=address,
        roles=[r.value for r in roles],
        token_hash=token_hash(token),
        invited_by_id=inviter.member_id,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.add(invite)
    db.flush()
    audit.record(
        db,
        "invite.created",
        at=now,
        actor_id=inviter.member_id,
        organization_id=organization_id,
        invite_id=invite.id,
        roles=invite.roles,
    )
    return token, invite


def open_invite(db: Session, token: str, *, now: datetime) -> Invite:
    invite = db.scalar(select(Invite).where(Invite.token_hash == token_hash(token)))
    if invite is None or invite.revoked_at is not None:
        raise NotFound(N_("This invite link is not valid."), code="invite_invalid")
    if invite.accepted_at is not None:
        raise Gone(N_("This invite link was already used."), code="invite_used")
    if invite.expires_at <= now:
        raise Gone(
            N_("This invite link has expired; ask your coordinator for a new one."),
            code="invite_expired",
        )
    return invite


def accept_invite(
    db: Session, token: str, *, display_name: str, password: str, now: datetime
) -> Member:
    """Create the account (or, for an existing one, prove it with its password) and grant."""
    invite = open_invite(db, token, now=now)
    member = find_member(db, invite.email)
    if member is None:
        member = _new_member(db, invite.email, display_name, password, now)
    elif not passwords.verify_password(member.password_hash, password):
        raise NotAuthenticated(
            N_("An account with this e-mail exists; enter its password to join."),
            code="wrong_credentials",
        )
    for role in invite.roles:
        _grant(db, member, invite.organization_id, Role(role), now)
    invite.accepted_at = now
    audit.record(
        db,
        "invite.accepted",
        at=now,
        actor_id=member.id,
        organization_id=invite.organization_id,
        invite_id=invite.id,
    )
    return member


def _new_member(db: Session, email: str, display_name: str, password: str, now: datetime) -> Member:
    name = display_name.strip()
    if not 1 <= len(name) <= 120:
        raise InvalidInput(N_("Give a name of 1 to 120 characters."), code="invalid_name")
    passwords.check_strength(password, email=email, name=name)
    member = Member(
        email=email,
        display_name=name,
        password_hash=passwords.hash_password(password),
        created_at=now,
    )
    db.add(member)
    db.flush()
    return member


def _grant(db: Session, member: Member, organization_id: int, role: Role, now: datetime) -> None:
    if any(g.organization_id == organization_id and g.role == role for g in member.grants):
        return
    member.grants.append(RoleGrant(organization_id=organization_id, role=role, granted_at=now))


def revoke_invite(
    db: Session, actor: Principal, organization_id: int, invite_id: int, *, now: datetime
) -> None:
    invite = db.get(Invite, invite_id)
    if invite is None or invite.organization_id != organization_id:
        raise NotFound(N_("No such invite."), code="invite_not_found")
    if invite.accepted_at is not None:
        raise Conflict(N_("This invite was already used."), code="invite_used")
    invite.revoked_at = now
    audit.record(
        db,
        "invite.revoked",
        at=now,
        actor_id=actor.member_id,
        organization_id=organization_id,
        invite_id=invite.id,
    )


def pending_invites(db: Session, organization_id: int, *, now: datetime) -> Sequence[Invite]:
    query = (
        select(Invite)
        .where(
            Invite.organization_id == organization_id,
            Invite.accepted_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .order_by(Invite.created_at.desc())
    )
    return db.scalars(query).all()
