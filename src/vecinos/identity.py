"""Who is asking: the member behind a session cookie or an API token, with their roles.

Below every domain (the web toolkit's policies check roles without importing `accounts`);
`accounts` stores the roles and builds a `Principal` from a member.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol


class Role(StrEnum):
    RESPONDER = "responder"
    DISPATCHER = "dispatcher"
    LEGAL = "legal"
    COORDINATOR = "coordinator"
    ADMIN = "coalition_admin"


class _Grant(Protocol):
    @property
    def organization_id(self) -> int: ...
    @property
    def role(self) -> Role: ...


class _Member(Protocol):
    """What a principal is built from: `accounts.models.Member`."""

    @property
    def id(self) -> int: ...
    @property
    def display_name(self) -> str: ...
    @property
    def needs_totp(self) -> bool: ...
    @property
    def grants(self) -> Iterable[_Grant]: ...


@dataclass(frozen=True)
class Principal:
    member_id: int
    display_name: str
    grants: frozenset[tuple[int, Role]]
    needs_totp: bool
    totp_passed: bool
    via: Literal["session", "token"]
    session_id: str | None = None
    csrf_token: str | None = None

    @classmethod
    def of(
        cls,
        member: _Member,
        *,
        via: Literal["session", "token"],
        totp_passed: bool,
        only_organization: int | None = None,
        session_id: str | None = None,
        csrf_token: str | None = None,
    ) -> Principal:
        grants = frozenset(
            (grant.organization_id, Role(grant.role))
            for grant in member.grants
            if only_organization is None or grant.organization_id == only_organization
        )
        return cls(
            member_id=member.id,
            display_name=member.display_name,
            grants=grants,
            needs_totp=member.needs_totp,
            totp_passed=totp_passed,
            via=via,
            session_id=session_id,
            csrf_token=csrf_token,
        )

    @property
    def fully_signed_in(self) -> bool:
        return self.totp_passed or not self.needs_totp

    @property
    def organization_ids(self) -> frozenset[int]:
        return frozenset(org for org, _ in self.grants)

    @property
    def is_coalition_admin(self) -> bool:
        return any(role is Role.ADMIN for _, role in self.grants)

    def roles_in(self, organization_id: int) -> frozenset[Role]:
        return frozenset(role for org, role in self.grants if org == organization_id)

    def has_role(self, organization_id: int, *roles: Role) -> bool:
        return bool(self.roles_in(organization_id) & set(roles))

    def organizations_where(self, *roles: Role) -> frozenset[int]:
        return frozenset(org for org, role in self.grants if role in roles)
