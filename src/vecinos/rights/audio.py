"""The megaphone script as audio: espeak-ng speaks it slowly, sox makes it loud and loopable.

The WAV is 16-bit mono, normalised to -1 dBFS (bullhorns with an aux input want a strong
signal) and ends with a pause, so a player on repeat leaves a breath between two readings.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

from vecinos.rights.errors import MissingTool, NoVoice
from vecinos.rights.kit import RightsKit

PAUSE_SECONDS = 1.5
FORMATS = (".wav", ".ogg")


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise MissingTool(name, package)
    return found


def megaphone_script(kit: RightsKit, code: str) -> str:
    return " ".join(kit.edition(code).language.megaphone.split())


def write_audio(kit: RightsKit, code: str, target: Path) -> Path:
    """Speak the language's megaphone script into `target` (.wav or .ogg, by its suffix)."""
    if target.suffix not in FORMATS:
        raise ValueError(f"{target.name}: audio files end in {' or '.join(FORMATS)}")
    language = kit.edition(code).language
    if not language.voice:
        raise NoVoice(language.code)
    espeak = _tool("espeak-ng", "espeak-ng")
    sox = _tool("sox", "sox (and libsox-fmt-base for OGG)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "speech.wav"
        # Arguments are a list (no shell); the text is our own content, passed as one argument.
        subprocess.run(  # noqa: S603
            [
                espeak,
                "-v",
                language.voice,
                "-s",
                str(language.rate),
                "-w",
                str(raw),
                "--",
                megaphone_script(kit, code),
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(  # noqa: S603
            [
                sox,
                str(raw),
                "-b",
                "16",
                str(target),
                "gain",
                "-n",
                "-1",
                "pad",
                "0",
                str(PAUSE_SECONDS),
            ],
            check=True,
            capture_output=True,
        )
    return target


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as audio:
        frames: int = audio.getnframes()
        rate: int = audio.getframerate()
    return frames / rate
