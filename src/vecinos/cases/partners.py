"""Where a case can be referred and where a person can be held, from configuration.

The coalition's legal partners and bond funds come from `VECINOS_CASE_PARTNERS` (a YAML
file); each may carry the age public key its lawyers read exported cases with. Facilities
come from the list packaged here, plus or instead of the file's own `facilities:`.
Organizations only, never individual people.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyrage
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vecinos.config import ConfigError, Settings

KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"


class PartnerKind(StrEnum):
    LEGAL = "legal"
    BOND_FUND = "bond_fund"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Partner(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=2, max_length=120)  # an organization, never a person
    kind: PartnerKind
    phone: str | None = Field(None, pattern=r"^\+?[0-9 ()./-]{5,24}$")
    url: str | None = Field(None, pattern=r"^https?://\S+$")
    age_recipient: str | None = None  # "age1…": exported cases are encrypted to it

    @field_validator("age_recipient")
    @classmethod
    def _is_an_age_key(cls, value: str | None) -> str | None:
        if value is not None:
            parse_recipient(value)
        return value


class Facility(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=2, max_length=200)


class PartnersFile(Strict):
    partners: tuple[Partner, ...] = ()
    facilities: tuple[Facility, ...] = ()
    replace_facilities: bool = False  # true: the file's list replaces the packaged one


@dataclass(frozen=True)
class Directory:
    partners: dict[str, Partner]
    facilities: dict[str, Facility]


def parse_recipient(text: str) -> pyrage.x25519.Recipient:
    """An age X25519 public key ("age1…"); ValueError for anything else."""
    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except (pyrage.RecipientError, ValueError) as exc:
        raise ValueError("not an age X25519 public key (age1…)") from exc


def directory(settings: Settings) -> Directory:
    path = settings.case_partners_file
    stamp = path.stat().st_mtime_ns if path and path.exists() else 0
    return _load(path, stamp)


@lru_cache(maxsize=4)
def _load(path: Path | None, _stamp: int) -> Directory:
    packaged = _parse(resources.files(__package__).joinpath("facilities.yaml").read_text(), "")
    configured = _parse(path.read_text(), str(path)) if path else PartnersFile()
    facilities = list(configured.facilities)
    if not configured.replace_facilities:
        mine = {f.key for f in facilities}
        facilities = [f for f in packaged.facilities if f.key not in mine] + facilities
    return Directory(
        partners={p.key: p for p in configured.partners},
        facilities={f.key: f for f in facilities},
    )


def _parse(text: str, where: str) -> PartnersFile:
    try:
        data: Any = yaml.safe_load(text) or {}
        return PartnersFile.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{where or 'cases/facilities.yaml'}: {exc}") from exc
