"""What the case routes take and give. Nothing about immigration status or criminal history:
unknown keys are refused, so no such field can ride along."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from vecinos.cases.models import CaseStatus
from vecinos.db import RowId

NAME_MAX, CONTACT_MAX, TEXT_MAX = 80, 200, 4000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseIn(Strict):
    incident_id: RowId
    name: str = Field(min_length=1, max_length=NAME_MAX)  # first name or alias, as they wish
    family_contact: str | None = Field(default=None, max_length=CONTACT_MAX)
    arrested_at: datetime | None = None  # default: when the incident opened
    facility_key: str | None = Field(default=None, max_length=64)
    facility_other: str | None = Field(default=None, max_length=200)
    referral_key: str | None = Field(default=None, max_length=64)
    next_steps: str | None = Field(default=None, max_length=TEXT_MAX)
    notes: str | None = Field(default=None, max_length=TEXT_MAX)


class CaseUpdate(Strict):
    """Only the fields given change; `null` clears an optional one."""

    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    family_contact: str | None = Field(default=None, max_length=CONTACT_MAX)
    facility_key: str | None = Field(default=None, max_length=64)
    facility_other: str | None = Field(default=None, max_length=200)
    referral_key: str | None = Field(default=None, max_length=64)
    status: CaseStatus | None = None
    next_steps: str | None = Field(default=None, max_length=TEXT_MAX)
    notes: str | None = Field(default=None, max_length=TEXT_MAX)


class CaseOut(BaseModel):
    id: int
    organization_id: int
    incident_id: int | None
    name: str
    family_contact: str | None
    arrested_at: datetime
    place: str
    facility_key: str | None
    facility: str | None  # the facility's name, or the free text
    referral_key: str | None
    referral: str | None
    status: CaseStatus
    next_steps: str | None
    notes: str | None
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    purge_at: datetime | None


class ExportIn(Strict):
    """A configured partner (its key), or an age public key pasted by legal support."""

    partner: str | None = Field(default=None, max_length=64)
    recipient: str | None = Field(default=None, max_length=200)
