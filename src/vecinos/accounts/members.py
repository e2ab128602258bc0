"""Organizations and their rosters. A roster is visible only inside its own organization."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vecinos.accounts import audit
from vecinos.accounts.invites import check_may_grant, covers, parse_roles
from vecinos.accounts.models import Coalition, Member, Organization, Role, RoleGrant
from vecinos.errors import Conflict, Forbidden, InvalidInput, NotFound
from vecinos.i18n import N_
from vecinos.identity import Principal

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")


def the_coalition(db: Session, default_name: str) -> Coalition:
    """A deployment serves one coalition; it is created on first use."""
    coalition = db.scalar(select(Coalition).order_by(Coalition.id).limit(1))
    if coalition is None:
        coalition = Coalition(name=default_name)
        db.add(coalition)
        db.flush()
    return coalition


def create_organization(
    db: Session,
    coalition: Coalition,
    name: str,
    slug: str,
    *,
    now: datetime,
    actor_id: int | None = None,
) -> Organization:
    if not SLUG.match(slug):
        raise InvalidInput(
            N_("A short name uses 3 to 80 lowercase letters, digits and dashes."),
            code="invalid_slug",
        )
    if db.scalar(select(Organization.id).where(Organization.slug == slug)) is not None:
        raise Conflict(N_("An organization with this short name exists."), code="slug_taken")
    organization = Organization(
        coalition_id=coalition.id, name=name.strip(), slug=slug, created_at=now
    )
    db.add(organization)
    db.flush()
    audit.record(
        db, "organization.created", at=now, actor_id=actor_id, organization_id=organization.id
    )
    return organization


def organizations_visible_to(db: Session, principal: Principal) -> Sequence[Organization]:
    query = select(Organization).order_by(Organization.name)
    if not principal.is_coalition_admin:
        query = query.where(Organization.id.in_(principal.organization_ids))
    return db.scalars(query).all()


def roster(db: Session, organization_id: int) -> list[tuple[Member, list[Role]]]:
    grants = db.scalars(select(RoleGrant).where(RoleGrant.organization_id == organization_id)).all()
    by_member: dict[int, list[Role]] = {}
    for grant in grants:
        by_member.setdefault(grant.member_id, []).append(Role(grant.role))
    members = db.scalars(select(Member).where(Member.id.in_(by_member))).all()
    return sorted(
        ((m, sorted(by_member[m.id])) for m in members),
        key=lambda item: item[0].display_name.lower(),
    )


def set_roles(
    db: Session,
    actor: Principal,
    organization_id: int,
    member_id: int,
    role_names: Iterable[str],
    *,
    now: datetime,
) -> list[Role]:
    roles = parse_roles(role_names)
    check_may_grant(actor, organization_id, roles)
    member = _member_in(db, organization_id, member_id)
    _check_outranks(actor, organization_id, member)
    _keep_one_coordinator(db, organization_id, member_id, roles)
    _keep_one_admin(db, organization_id, member, roles)
    db.execute(
        delete(RoleGrant).where(
            RoleGrant.member_id == member.id, RoleGrant.organization_id == organization_id
        )
    )
    db.add_all(
        RoleGrant(member_id=member.id, organization_id=organization_id, role=r, granted_at=now)
        for r in roles
    )
    db.flush()
    db.expire(member, ["grants"])
    audit.record(
        db,
        "member.roles_changed",
        at=now,
        actor_id=actor.member_id,
        organization_id=organization_id,
        member_id=member.id,
        roles=[r.value for r in roles],
    )
    return roles


def remove_member(
    db: Session, actor: Principal, organization_id: int, member_id: int, *, now: datetime
) -> None:
    member = _member_in(db, organization_id, member_id)
    _check_outranks(actor, organization_id, member)
    _keep_one_coordinator(db, organization_id, member_id, [])
    _keep_one_admin(db, organization_id, member, [])
    db.execute(
        delete(RoleGrant).where(
            RoleGrant.member_id == member_id, RoleGrant.organization_id == organization_id
        )
    )
    audit.record(
        db,
        "member.removed",
        at=now,
        actor_id=actor.member_id,
        organization_id=organization_id,
        member_id=member_id,
    )


def _member_in(db: Session, organization_id: int, member_id: int) -> Member:
    member = db.get(Member, member_id)
    if member is None or not any(g.organization_id == organization_id for g in member.grants):
        raise NotFound(N_("No such member in this organization."), code="member_not_found")
    return member


def _check_outranks(actor: Principal, organization_id: int, member: Member) -> None:
    """Nobody changes or removes a member holding a role they do not hold (or one above it):
    a coordinator cannot demote the coalition admin, wherever the admin's role sits."""
    held = {Role(g.role) for g in member.grants if g.organization_id == organization_id}
    if any(Role(g.role) is Role.ADMIN for g in member.grants):
        held.add(Role.ADMIN)
    if not all(covers(actor, organization_id, role) for role in held):
        raise Forbidden(
            N_("This member holds a role above yours; only someone who holds it may change them."),
            code="outranked",
        )


def _keep_one_admin(
    db: Session, organization_id: int, member: Member, new_roles: Iterable[Role]
) -> None:
    """The coalition must never lose its last admin: nobody could admit organizations again."""
    here = any(
        g.organization_id == organization_id and Role(g.role) is Role.ADMIN for g in member.grants
    )
    if not here or Role.ADMIN in new_roles:
        return
    others = db.scalar(
        select(RoleGrant.id)
        .where(
            RoleGrant.role == Role.ADMIN,
            (RoleGrant.member_id != member.id) | (RoleGrant.organization_id != organization_id),
        )
        .limit(1)
    )
    if others is None:
        raise Conflict(N_("The coalition needs at least one admin."), code="last_admin")


def _keep_one_coordinator(
    db: Session, organization_id: int, member_id: int, new_roles: Iterable[Role]
) -> None:
    """An organization must never lose its last coordinator: nobody could invite again."""
    if Role.COORDINATOR in new_roles:
        return
    others = db.scalar(
        select(RoleGrant.id)
        .where(
            RoleGrant.organization_id == organization_id,
            RoleGrant.role == Role.COORDINATOR,
            RoleGrant.member_id != member_id,
        )
        .limit(1)
    )
    if others is None:
        raise Conflict(
            N_("An organization needs at least one coordinator."), code="last_coordinator"
        )
