"""`vecinos rights …` as a coalition runs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_SECRET
from tests.rights.conftest import HOTLINE, PUBLIC_URL, write_override
from vecinos.cli import app

TOOLS = shutil.which("espeak-ng") and shutil.which("sox")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VECINOS_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("VECINOS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VECINOS_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("VECINOS_RIGHTS_OVERRIDES", str(write_override(tmp_path / "rights")))
    return tmp_path


def test_card_and_poster_for_one_language(env: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["rights", "card", "--lang", "es", "-o", str(env / "card.pdf")])
    assert result.exit_code == 0, result.output
    assert (env / "card.pdf").read_bytes()[:5] == b"%PDF-"
    result = runner.invoke(
        app, ["rights", "poster", "-l", "ko", "-o", str(env / "p.pdf"), "--paper", "a4"]
    )
    assert result.exit_code == 0, result.output
    assert (env / "p.pdf").stat().st_size > 10_000
    result = runner.invoke(app, ["rights", "door-hanger", "-l", "vi", "-o", str(env / "d.pdf")])
    assert result.exit_code == 0, result.output
    assert (env / "d.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.skipif(not TOOLS, reason="needs espeak-ng and sox")
def test_audio_for_two_languages_goes_into_a_folder(env: Path) -> None:
    out = env / "audio"
    result = CliRunner().invoke(
        app, ["rights", "audio", "-l", "es", "-l", "ru", "-o", str(out / "aviso.wav")]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "aviso.wav").iterdir()) == ["es.wav", "ru.wav"]


def test_unknown_language_is_a_clear_error(env: Path) -> None:
    result = CliRunner().invoke(app, ["rights", "card", "--lang", "q!", "-o", str(env / "x.pdf")])
    assert result.exit_code == 2
    assert "Unknown language 'q!'" in result.output
    assert not (env / "x.pdf").exists()


def test_a_broken_override_stops_the_command(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = write_override(env / "broken", "hotline: [1, 2]\n")
    monkeypatch.setenv("VECINOS_RIGHTS_OVERRIDES", str(broken))
    monkeypatch.setenv("COLUMNS", "1000")  # the path is as long as the test's folder; unwrapped
    result = CliRunner().invoke(app, ["rights", "check"])
    assert result.exit_code == 2
    assert "coalition.yaml: field 'hotline'" in " ".join(result.output.split())


def test_check_lists_every_language(env: Path) -> None:
    result = CliRunner().invoke(app, ["rights", "check"])
    assert result.exit_code == 0, result.output
    for code in ("en", "es", "zh-Hans", "fa", "tl"):
        assert code in result.output


@pytest.mark.skipif(not TOOLS, reason="needs espeak-ng and sox")
def test_export_writes_an_offline_bundle(env: Path) -> None:
    out = env / "bundle"
    result = CliRunner().invoke(app, ["rights", "export", str(out), "-l", "es", "-l", "fa"])
    assert result.exit_code == 0, result.output
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    for code in ("es", "fa"):
        for name in (
            "index.html",
            "at-home.html",
            "card.pdf",
            "poster.pdf",
            "sms.txt",
            "megaphone.txt",
            "megaphone.wav",
            "megaphone.ogg",
        ):
            assert f"{code}/{name}" in names
    assert "index.html" in names
    page = (out / "es" / "index.html").read_text(encoding="utf-8")
    assert 'href="../es/if-detained.html"' in page  # relative links work from a USB stick
    assert 'href="../fa/index.html"' in page
    assert 'href="../es/index.html"' in (out / "es" / "at-home.html").read_text(encoding="utf-8")
    assert HOTLINE in (out / "es" / "sms.txt").read_text(encoding="utf-8")
    assert 'href="./en/at-home.html"' in (out / "index.html").read_text(encoding="utf-8")
