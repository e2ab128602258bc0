"""Docs that tests keep honest: every setting is in the README, the Quick start is true."""

from __future__ import annotations

from pathlib import Path

from vecinos.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [
        f"VECINOS_{name.upper()}"
        for name in Settings.model_fields
        if f"`VECINOS_{name.upper()}`" not in README
    ]
    assert missing == [], "add these to the README's Configuration table"


def test_quick_start_shows_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make demo" in quick_start and "make test" in quick_start
    makefile = (ROOT / "Makefile").read_text()
    assert "\ndemo:" in makefile and "\ntest:" in makefile


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_cli_reference_is_current() -> None:
    from vecinos.cli.reference import reference

    committed = (ROOT / "docs" / "cli-reference.md").read_text()
    assert committed == reference(), "run `make docs` and commit docs/cli-reference.md"
