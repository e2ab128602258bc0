"""Settings: environment variables, *_FILE secrets, placeholder refusal, masked display."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vecinos.cli import app as cli
from vecinos.config import LA_COUNTY_AREA, ConfigError, load_settings
from vecinos.shapes import parse_area


def test_environment_variables_configure_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VECINOS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VECINOS_SESSION_HOURS", "4")
    settings = load_settings()
    assert settings.session_hours == 4
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'vecinos.db'}"


def test_a_bad_value_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VECINOS_SESSION_HOURS", "forever")
    with pytest.raises(ConfigError, match="session_hours"):
        load_settings()


def test_secret_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("s" * 48 + "\n")
    monkeypatch.setenv("VECINOS_SECRET_KEY_FILE", str(secret_file))
    settings = load_settings()
    assert settings.secret == "s" * 48
    settings.require_real_secrets()


def test_a_missing_secret_file_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VECINOS_SECRET_KEY_FILE", str(tmp_path / "absent"))
    with pytest.raises(ConfigError, match="VECINOS_SECRET_KEY_FILE"):
        load_settings()


def test_the_placeholder_secret_is_refused_outside_the_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VECINOS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="placeholder"):
        load_settings().require_real_secrets()
    monkeypatch.setenv("VECINOS_SECRET_KEY", "too-short")
    with pytest.raises(ConfigError, match="32 characters"):
        load_settings().require_real_secrets()


def test_the_app_refuses_the_placeholder_but_the_demo_accepts_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from vecinos.app.factory import create_app

    monkeypatch.delenv("VECINOS_SECRET_KEY", raising=False)
    settings = load_settings(data_dir=tmp_path)
    with pytest.raises(ConfigError):
        create_app(settings)
    assert create_app(settings, allow_placeholder_secret=True).title == "vecinos"


def test_config_show_masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VECINOS_SECRET_KEY", "a-very-secret-value-that-must-not-show-up")
    monkeypatch.setenv(
        "VECINOS_DATABASE_URL", "postgresql+psycopg://vecinos:hunter2pass@db.internal/vecinos"
    )
    result = CliRunner().invoke(cli, ["config", "show"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "a-very-secret-value" not in result.output
    assert "hunter2pass" not in result.output
    assert "********" in result.output
    assert "VECINOS_SESSION_HOURS" in result.output


def test_serve_refuses_to_start_with_the_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VECINOS_SECRET_KEY", raising=False)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "VECINOS_SECRET_KEY" in result.output


def test_the_built_in_service_area_is_one_the_settings_would_accept() -> None:
    """The settings check a configured service area at start-up, but not the built-in one."""
    area = parse_area(json.loads(LA_COUNTY_AREA))
    assert area.is_valid and area.contains(area.representative_point())


def test_a_configured_service_area_is_still_checked_at_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crossing = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}'
    monkeypatch.setenv("VECINOS_SERVICE_AREA_GEOJSON", crossing)
    with pytest.raises(ConfigError, match="SERVICE_AREA_GEOJSON"):
        load_settings()
