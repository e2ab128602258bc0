"""Megaphone audio: espeak-ng speaks each script in 20-30 s; WAV and OGG; clear errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vecinos.rights.audio import PAUSE_SECONDS, wav_seconds, write_audio
from vecinos.rights.errors import MissingTool, NoVoice
from vecinos.rights.kit import RightsKit

TOOLS = shutil.which("espeak-ng") and shutil.which("sox")
pytestmark = pytest.mark.skipif(not TOOLS, reason="needs espeak-ng and sox")


def test_every_voiced_script_speaks_for_20_to_30_seconds(kit: RightsKit, tmp_path: Path) -> None:
    voiced = [code for code, language in kit.languages.items() if language.voice]
    assert len(voiced) == 9  # all but Tagalog, for which espeak-ng has no voice
    spoken = {}
    for code in voiced:
        path = write_audio(kit, code, tmp_path / f"{code}.wav")
        spoken[code] = round(wav_seconds(path) - PAUSE_SECONDS, 1)
    assert {code: s for code, s in spoken.items() if not 20 <= s <= 30} == {}


def test_ogg_is_written_too(kit: RightsKit, tmp_path: Path) -> None:
    path = write_audio(kit, "es", tmp_path / "aviso.ogg")
    data = path.read_bytes()
    assert data[:4] == b"OggS"
    assert b"vorbis" in data[:200]
    assert len(data) > 20_000


def test_tagalog_has_no_voice_and_says_so(kit: RightsKit, tmp_path: Path) -> None:
    with pytest.raises(NoVoice, match="no voice for 'tl'"):
        write_audio(kit, "tl", tmp_path / "tl.wav")


def test_a_missing_espeak_names_its_package(
    kit: RightsKit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("vecinos.rights.audio.shutil.which", lambda name: None)
    with pytest.raises(MissingTool, match="espeak-ng is missing; install the Debian package"):
        write_audio(kit, "en", tmp_path / "en.wav")


def test_only_wav_and_ogg(kit: RightsKit, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"end in \.wav or \.ogg"):
        write_audio(kit, "en", tmp_path / "en.mp3")
