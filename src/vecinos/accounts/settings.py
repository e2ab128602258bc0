"""An organization's own settings: its name, public hotline, default language, radio plan."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from vecinos.accounts import audit
from vecinos.accounts.models import Organization
from vecinos.errors import InvalidInput, NotFound
from vecinos.i18n import N_, document_language, is_language
from vecinos.identity import Principal

# Text is stripped before its length is checked: the document says so with a pattern.
NOT_BLANK = r"\S"
TWO_VISIBLE = r"\S[\s\S]*\S"


class RadioChannel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=40, pattern=NOT_BLANK)
    channel: str = Field(
        min_length=1, max_length=40, pattern=NOT_BLANK
    )  # "CH 7", "462.6125 MHz", "Zello: east"
    purpose: str = Field(default="", max_length=120)


class OrganizationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=2, max_length=200, pattern=TWO_VISIBLE)
    hotline: str | None = Field(default=None, max_length=40)
    default_language: str = Field(min_length=2, max_length=16, json_schema_extra=document_language)
    radio_channels: list[RadioChannel] = Field(default_factory=list, max_length=40)


def settings_of(organization: Organization) -> OrganizationSettings:
    return OrganizationSettings(
        name=organization.name,
        hotline=organization.hotline,
        default_language=organization.default_language,
        radio_channels=[RadioChannel(**c) for c in organization.radio_channels or []],
    )


def update_settings(
    db: Session,
    actor: Principal,
    organization_id: int,
    wanted: OrganizationSettings,
    *,
    now: datetime,
) -> OrganizationSettings:
    organization = db.get(Organization, organization_id)
    if organization is None:
        raise NotFound(N_("No such organization."), code="organization_not_found")
    if not is_language(wanted.default_language):
        raise InvalidInput(
            N_("Unknown language '{language}'."),
            params={"language": wanted.default_language},
            code="unknown_language",
        )
    names = [c.name.lower() for c in wanted.radio_channels]
    if len(names) != len(set(names)):
        raise InvalidInput(
            N_("Two radio channels have the same name."), code="duplicate_radio_channel"
        )
    organization.name = wanted.name
    organization.hotline = wanted.hotline or None
    organization.default_language = wanted.default_language
    organization.radio_channels = [c.model_dump() for c in wanted.radio_channels]
    audit.record(
        db,
        "organization.settings_changed",
        at=now,
        actor_id=actor.member_id,
        organization_id=organization_id,
    )
    return settings_of(organization)
