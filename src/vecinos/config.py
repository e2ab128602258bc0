"""Typed settings, read from `VECINOS_*` variables (and `VECINOS_*_FILE` for secrets).

Settings are built by whoever starts the program (the CLI, the app factory, a test), never at
import time, so a test or a second app in the same process can hold different settings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

ENV_PREFIX = "VECINOS_"
PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the value we refuse, not a secret


class ConfigError(Exception):
    """The settings cannot run a deployment; the message says which one and why."""


class FileSecretsSource(PydanticBaseSettingsSource):
    """`VECINOS_SECRET_KEY_FILE=/run/secrets/key` sets `secret_key` from that file's content.

    Container orchestrators mount secrets as files; reading them keeps secrets out of the
    process environment, where they leak into crash reports and `ps e`.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        path = os.environ.get(f"{ENV_PREFIX}{field_name.upper()}_FILE")
        if not path:
            return None, field_name, False
        try:
            return Path(path).read_text().strip(), field_name, False
        except OSError as exc:
            variable = f"{ENV_PREFIX}{field_name.upper()}_FILE"
            raise ConfigError(f"{variable}: cannot read {path}: {exc}") from exc

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                values[key] = value
        return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(Path("var"), description="Where the SQLite file and media live.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in data_dir.")
    secret_key: SecretStr = Field(
        SecretStr(PLACEHOLDER_SECRET),
        description="Signs tokens and derives encryption keys. Refused at its placeholder.",
    )
    old_secret_keys: SecretStr = Field(
        SecretStr(""), description="Earlier secret keys, comma-separated, kept for rotation."
    )
    public_url: str = Field("http://127.0.0.1:8000", description="Base of links we send out.")
    coalition_name: str = Field("vecinos", description="Shown on pages and in messages.")
    cookie_secure: bool = Field(True, description="Send session cookies over HTTPS only.")
    session_hours: int = Field(12, ge=1, le=24 * 30, description="Idle session lifetime.")
    invite_hours: int = Field(72, ge=1, le=24 * 30, description="How long an invite link works.")
    login_free_attempts: int = Field(5, ge=1, description="Failed logins before back-off starts.")
    login_max_lockout_seconds: int = Field(900, ge=1, description="Longest back-off.")
    default_language: str = Field("es", description="Language when none is asked for.")
    log_level: str = Field("INFO", description="Python logging level.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, FileSecretsSource(settings_cls), env_settings)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'vecinos.db'}"

    @property
    def secret(self) -> str:
        return self.secret_key.get_secret_value()

    @property
    def old_secrets(self) -> list[str]:
        return [k for k in self.old_secret_keys.get_secret_value().split(",") if k.strip()]

    @property
    def uses_placeholder_secret(self) -> bool:
        return self.secret_key.get_secret_value() in ("", PLACEHOLDER_SECRET)

    def require_real_secrets(self) -> None:
        """Refuse to run a real deployment with the placeholder secret."""
        if self.uses_placeholder_secret:
            raise ConfigError(
                "VECINOS_SECRET_KEY is still the placeholder. Set it (or VECINOS_SECRET_KEY_FILE)"
                " to a long random value, e.g. the output of `python -c 'import secrets;"
                " print(secrets.token_urlsafe(48))'`. Only `vecinos demo` runs without one."
            )
        if len(self.secret_key.get_secret_value()) < 32:
            raise ConfigError("VECINOS_SECRET_KEY must be at least 32 characters long.")

    def masked(self) -> dict[str, str]:
        """Every effective setting as text, secrets shown only as set / not set."""
        shown: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown[name] = _mask_secret(name, value, self.uses_placeholder_secret)
            else:
                shown[name] = str(value)
        shown["database_url"] = _mask_url_password(self.effective_database_url)
        return shown


def _mask_secret(name: str, value: SecretStr, placeholder: bool) -> str:
    if name == "secret_key" and placeholder:
        return "(placeholder: set VECINOS_SECRET_KEY)"
    return "********" if value.get_secret_value() else "(not set)"


def _mask_url_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
