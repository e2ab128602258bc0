"""API tokens for integrations (a hotline system, a partner's dashboard): shown once, stored
hashed, scoped to one organization, revocable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts import audit
from vecinos.accounts.models import ApiToken, Member
from vecinos.crypto import new_token, token_hash
from vecinos.errors import InvalidInput, NotFound
from vecinos.i18n import N_
from vecinos.identity import Principal

PREFIX = "vec_"


def create_api_token(
    db: Session, owner: Principal, organization_id: int, name: str, *, now: datetime
) -> tuple[str, ApiToken]:
    label = name.strip()
    if not 1 <= len(label) <= 120:
        raise InvalidInput(N_("Give the token a name of 1 to 120 characters."), code="invalid_name")
    token = new_token(PREFIX)
    row = ApiToken(
        member_id=owner.member_id,
        organization_id=organization_id,
        name=label,
        token_hash=token_hash(token),
        created_at=now,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        "api_token.created",
        at=now,
        actor_id=owner.member_id,
        organization_id=organization_id,
        token_id=row.id,
    )
    return token, row


def principal_for_api_token(db: Session, token: str, *, now: datetime) -> Principal | None:
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    member = db.get(Member, row.member_id)
    if member is None or member.disabled_at is not None:
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
    # Its creator passed two-factor to make it; the token acts only in its organization.
    return Principal.of(
        member, via="token", totp_passed=True, only_organization=row.organization_id
    )


def tokens_of(db: Session, organization_id: int) -> Sequence[ApiToken]:
    query = (
        select(ApiToken)
        .where(ApiToken.organization_id == organization_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    )
    return db.scalars(query).all()


def revoke_api_token(
    db: Session, actor: Principal, organization_id: int, token_id: int, *, now: datetime
) -> None:
    row = db.get(ApiToken, token_id)
    if row is None or row.organization_id != organization_id or row.revoked_at is not None:
        raise NotFound(N_("No such token."), code="token_not_found")
    row.revoked_at = now
    audit.record(
        db,
        "api_token.revoked",
        at=now,
        actor_id=actor.member_id,
        organization_id=organization_id,
        token_id=row.id,
    )
