"""A static, offline bundle of everything: pages, cards, posters, scripts and audio.

For print shops and USB sticks: open `index.html` from the folder, no server needed. The
bundle is planned as a list of jobs so the CLI can show progress while it renders them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vecinos.rights.audio import megaphone_script, write_audio
from vecinos.rights.content import SOURCE_LANGUAGE
from vecinos.rights.kit import RightsKit
from vecinos.rights.pages import Links, language_page, topic_page
from vecinos.rights.pdf import write_card, write_door_hanger, write_poster
from vecinos.rights.sms import compose

# Pages in <lang>/ link to each other through the bundle root one folder up.
LANGUAGE_LINKS = Links(root="..", suffix=".html", index="index.html")
ROOT_LINKS = Links(root=".", suffix=".html", index="index.html")


@dataclass(frozen=True)
class Job:
    path: Path
    make: Callable[[], object]


def _text(path: Path, text: str) -> Callable[[], object]:
    def write() -> object:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.write_text(text, encoding="utf-8")

    return write


def plan_export(
    kit: RightsKit, folder: Path, *, paper: str = "letter", languages: list[str] | None = None
) -> list[Job]:
    """Every file of the bundle, each with the function that writes it."""
    codes = [kit.edition(code).code for code in languages] if languages else list(kit.languages)
    home = language_page(kit, SOURCE_LANGUAGE, ROOT_LINKS)
    jobs = [Job(folder / "index.html", _text(folder / "index.html", home))]
    for code in codes:
        jobs += _language_jobs(kit, folder / code, code, paper)
    return jobs


def _language_jobs(kit: RightsKit, folder: Path, code: str, paper: str) -> list[Job]:
    edition = kit.edition(code)
    pages = {"index.html": language_page(kit, code, LANGUAGE_LINKS)}
    for topic in edition.topic_ids():
        pages[f"{topic}.html"] = topic_page(kit, code, topic, LANGUAGE_LINKS)
    pages["megaphone.txt"] = megaphone_script(kit, code) + "\n"
    pages["sms.txt"] = compose(kit, code) + "\n"
    jobs = [Job(folder / name, _text(folder / name, text)) for name, text in pages.items()]
    for name, write in (
        ("card.pdf", write_card),
        ("poster.pdf", write_poster),
        ("door-hanger.pdf", write_door_hanger),
    ):
        jobs.append(Job(folder / name, _pdf(write, kit, code, folder / name, paper)))
    if edition.language.voice:
        for name in ("megaphone.wav", "megaphone.ogg"):
            jobs.append(Job(folder / name, _audio(kit, code, folder / name)))
    return jobs


def _pdf(
    write: Callable[[RightsKit, str, Path, str], Path],
    kit: RightsKit,
    code: str,
    path: Path,
    paper: str,
) -> Callable[[], object]:
    return lambda: write(kit, code, path, paper)


def _audio(kit: RightsKit, code: str, path: Path) -> Callable[[], object]:
    return lambda: write_audio(kit, code, path)
