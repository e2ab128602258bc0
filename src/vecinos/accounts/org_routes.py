"""Organizations, rosters, invites, API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field
from pydantic.config import JsonDict

from vecinos.accounts import audit, invites, members, tokens
from vecinos.accounts.models import Organization, Role
from vecinos.accounts.settings import OrganizationSettings, settings_of, update_settings
from vecinos.identity import Principal
from vecinos.web.deps import ClockDep, DbDep, PathId, SettingsDep
from vecinos.web.limits import Limit, RateLimited
from vecinos.web.openapi import refusals
from vecinos.web.policy import PUBLIC, CoalitionAdmin, Coordinator, OrgRole, SignedInMember

router = APIRouter(prefix="/api", tags=["organizations"])
MemberOfOrg = Annotated[Principal, Depends(OrgRole(*Role))]


class OrganizationIn(BaseModel):
    name: str = Field(min_length=2, max_length=200)
    slug: str = Field(max_length=80)


class OrganizationOut(BaseModel):
    id: int
    name: str
    slug: str


class MemberOut(BaseModel):
    id: int
    display_name: str
    email: str
    roles: list[str]
    totp_enrolled: bool


# Roles are checked by the service (its own codes); the document lists them.
ROLES_SCHEMA: JsonDict = {
    "minItems": 1,
    "items": {"type": "string", "enum": [role.value for role in Role]},
}


class RolesIn(BaseModel):
    roles: list[str] = Field(max_length=5, json_schema_extra=ROLES_SCHEMA)


class InviteIn(BaseModel):
    email: str = Field(max_length=254, json_schema_extra={"format": "email"})
    roles: list[str] = Field(max_length=5, json_schema_extra=ROLES_SCHEMA)


class InviteOut(BaseModel):
    id: int
    email: str
    roles: list[str]
    expires_at: datetime


class InviteCreated(InviteOut):
    invite_url: str


class InviteAccept(BaseModel):
    token: str = Field(max_length=100)
    display_name: str = Field(default="", max_length=120)
    password: str = Field(max_length=256)


class Joined(BaseModel):
    member_id: PathId
    organization_id: int


class TokenIn(BaseModel):
    # Stripped, then 1 to 120 characters (the service's own code): the document says so.
    name: str = Field(max_length=120, json_schema_extra={"pattern": r"\S"})


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    token: str


class AuditOut(BaseModel):
    at: datetime
    actor_id: int | None
    action: str
    detail: dict[str, Any]


@router.get("/organizations")
def list_organizations(caller: SignedInMember, db: DbDep) -> list[OrganizationOut]:
    return [
        OrganizationOut(id=o.id, name=o.name, slug=o.slug)
        for o in members.organizations_visible_to(db, caller)
    ]


@router.post("/organizations", status_code=status.HTTP_201_CREATED, responses=refusals(409))
def create_organization(
    body: OrganizationIn, caller: CoalitionAdmin, db: DbDep, clock: ClockDep, settings: SettingsDep
) -> OrganizationOut:
    coalition = members.the_coalition(db, settings.coalition_name)
    org = members.create_organization(
        db, coalition, body.name, body.slug, now=clock.now(), actor_id=caller.member_id
    )
    return OrganizationOut(id=org.id, name=org.name, slug=org.slug)


@router.get("/organizations/{org_id}/settings")
def get_settings(org_id: PathId, caller: MemberOfOrg, db: DbDep) -> OrganizationSettings:
    """Every member reads them (the radio plan is for patrols); coordinators change them."""
    organization = db.get(Organization, org_id)
    assert organization is not None  # the policy admitted a member of this organization
    return settings_of(organization)


@router.put("/organizations/{org_id}/settings")
def put_settings(
    org_id: PathId, body: OrganizationSettings, caller: Coordinator, db: DbDep, clock: ClockDep
) -> OrganizationSettings:
    return update_settings(db, caller, org_id, body, now=clock.now())


@router.get("/organizations/{org_id}/members")
def list_members(org_id: PathId, caller: Coordinator, db: DbDep) -> list[MemberOut]:
    return [
        MemberOut(
            id=m.id,
            display_name=m.display_name,
            email=m.email,
            roles=[r.value for r in roles],
            totp_enrolled=m.has_totp,
        )
        for m, roles in members.roster(db, org_id)
    ]


@router.put("/organizations/{org_id}/members/{member_id}/roles", responses=refusals(409))
def set_member_roles(
    org_id: PathId,
    member_id: PathId,
    body: RolesIn,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
) -> list[str]:
    roles = members.set_roles(db, caller, org_id, member_id, body.roles, now=clock.now())
    return [r.value for r in roles]


@router.delete(
    "/organizations/{org_id}/members/{member_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=refusals(409),  # the last coalition admin, or someone who holds more roles
)
def remove_member(
    org_id: PathId, member_id: PathId, caller: Coordinator, db: DbDep, clock: ClockDep
) -> None:
    members.remove_member(db, caller, org_id, member_id, now=clock.now())


@router.post("/organizations/{org_id}/invites", status_code=status.HTTP_201_CREATED)
def create_invite(
    org_id: PathId,
    body: InviteIn,
    caller: Coordinator,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> InviteCreated:
    token, invite = invites.create_invite(
        db, caller, org_id, body.email, body.roles, now=clock.now(), hours=settings.invite_hours
    )
    # The token rides in the fragment: browsers never send it to a server or a log.
    url = f"{settings.public_url.rstrip('/')}/join#{token}"
    return InviteCreated(
        id=invite.id,
        email=invite.email,
        roles=invite.roles,
        expires_at=invite.expires_at,
        invite_url=url,
    )


@router.get("/organizations/{org_id}/invites")
def list_invites(
    org_id: PathId, caller: Coordinator, db: DbDep, clock: ClockDep
) -> list[InviteOut]:
    return [
        InviteOut(id=i.id, email=i.email, roles=i.roles, expires_at=i.expires_at)
        for i in invites.pending_invites(db, org_id, now=clock.now())
    ]


@router.delete(
    "/organizations/{org_id}/invites/{invite_id}", status_code=status.HTTP_204_NO_CONTENT
)
def revoke_invite(
    org_id: PathId, invite_id: PathId, caller: Coordinator, db: DbDep, clock: ClockDep
) -> None:
    invites.revoke_invite(db, caller, org_id, invite_id, now=clock.now())


@router.post(
    "/invites/accept",
    status_code=status.HTTP_201_CREATED,
    dependencies=[PUBLIC.dependency()],
    responses=refusals(404, 409),
)
def accept_invite(
    body: InviteAccept,
    db: DbDep,
    clock: ClockDep,
    limit: Annotated[Limit, Depends(RateLimited("invite"))],
) -> Joined:
    limit.check(body.token)
    invite = invites.open_invite(db, body.token, now=clock.now())
    member = invites.accept_invite(
        db, body.token, display_name=body.display_name, password=body.password, now=clock.now()
    )
    return Joined(member_id=member.id, organization_id=invite.organization_id)


@router.post("/organizations/{org_id}/tokens", status_code=status.HTTP_201_CREATED)
def create_token(
    org_id: PathId, body: TokenIn, caller: Coordinator, db: DbDep, clock: ClockDep
) -> TokenCreated:
    token, row = tokens.create_api_token(db, caller, org_id, body.name, now=clock.now())
    return TokenCreated(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        token=token,
    )


@router.get("/organizations/{org_id}/tokens")
def list_tokens(org_id: PathId, caller: Coordinator, db: DbDep) -> list[TokenOut]:
    return [
        TokenOut(id=t.id, name=t.name, created_at=t.created_at, last_used_at=t.last_used_at)
        for t in tokens.tokens_of(db, org_id)
    ]


@router.delete("/organizations/{org_id}/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(
    org_id: PathId, token_id: PathId, caller: Coordinator, db: DbDep, clock: ClockDep
) -> None:
    tokens.revoke_api_token(db, caller, org_id, token_id, now=clock.now())


@router.get("/organizations/{org_id}/audit")
def audit_log(org_id: PathId, caller: Coordinator, db: DbDep) -> list[AuditOut]:
    return [
        AuditOut(at=e.at, actor_id=e.actor_id, action=e.action, detail=e.detail)
        for e in audit.events_for_organization(db, org_id)
    ]
