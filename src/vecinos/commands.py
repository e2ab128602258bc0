"""Helpers every command-line command shares (`vecinos.cli` and the domains' own command
modules): settings with readable errors, the engine."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy import Engine

from vecinos.config import ConfigError, Settings, load_settings
from vecinos.db import make_engine

err = Console(stderr=True)


def settings_or_exit(*, require_secrets: bool = False) -> Settings:
    try:
        settings = load_settings()
        if require_secrets:
            settings.require_real_secrets()
    except ConfigError as exc:
        err.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc
    return settings


def open_engine(settings: Settings) -> Engine:
    return make_engine(settings.effective_database_url)
