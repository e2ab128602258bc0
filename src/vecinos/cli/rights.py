"""`vecinos rights …`: print cards and posters, speak the megaphone script, export a bundle.

The PDF, audio and export modules are imported by the commands that make them: every `vecinos`
command (`serve` among them) imports this module to build the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from vecinos.commands import settings_or_exit
from vecinos.config import Settings
from vecinos.errors import AppError
from vecinos.rights.content import coverage_problems
from vecinos.rights.kit import RightsKit, load_kit
from vecinos.rights.sms import compose, count_segments

if TYPE_CHECKING:
    from vecinos.rights.export import Job

app = typer.Typer(help="Know-your-rights material: cards, posters, audio.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

LANG_HELP = "Language code (repeat for several; 'all' for every language)."
PDF_HELP = "The PDF file (a folder when several languages are asked for)."
PAPER_HELP = "Paper size: letter or a4 (default: VECINOS_RIGHTS_PAPER)."


def _kit() -> tuple[Settings, RightsKit]:
    settings = settings_or_exit()
    try:
        return settings, load_kit(settings)
    except AppError as exc:
        err.print(f"[red]Rights material error:[/red] {exc.message}")
        raise typer.Exit(2) from exc


def _codes(kit: RightsKit, langs: list[str]) -> list[str]:
    if "all" in langs:
        return list(kit.languages)
    return [kit.edition(code).code for code in langs]


def _run(jobs: list[Job]) -> None:
    """Run the jobs, with a progress bar when there are several; errors end the command."""
    try:
        if len(jobs) == 1:
            jobs[0].make()
            console.print(f"Wrote {jobs[0].path}")
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
            task = progress.add_task("rights", total=len(jobs))
            for job in jobs:
                progress.update(task, description=str(job.path.name))
                job.make()
                progress.advance(task)
        console.print(f"Wrote {len(jobs)} files.")
    except AppError as exc:
        err.print(f"[red]Error:[/red] {exc.message}")
        raise typer.Exit(2) from exc


def _per_language(
    langs: list[str],
    output: Path,
    suffix: str,
    make: Callable[[RightsKit, str, Path], object],
) -> None:
    """One file for one language at `output`; several go into the folder `output`."""
    _, kit = _kit()
    try:
        codes = _codes(kit, langs)
    except AppError as exc:
        err.print(f"[red]Error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    if len(codes) == 1:
        _run([_job(kit, codes[0], output, make)])
        return
    jobs = [_job(kit, code, output / f"{code}{suffix}", make) for code in codes]
    _run(jobs)


def _job(
    kit: RightsKit, code: str, path: Path, make: Callable[[RightsKit, str, Path], object]
) -> Job:
    from vecinos.rights.export import Job

    return Job(path, lambda: make(kit, code, path))


@app.command()
def card(
    lang: list[str] = typer.Option(["en"], "--lang", "-l", help=LANG_HELP),
    output: Path = typer.Option(Path("card.pdf"), "--output", "-o", help=PDF_HELP),
    paper: str | None = typer.Option(None, help=PAPER_HELP),
) -> None:
    """Wallet cards: 8 per sheet, fronts then backs, cut marks, QR codes."""
    from vecinos.rights.pdf import write_card

    size = paper or settings_or_exit().rights_paper
    _per_language(lang, output, ".pdf", lambda kit, code, path: write_card(kit, code, path, size))


@app.command()
def poster(
    lang: list[str] = typer.Option(["en"], "--lang", "-l", help=LANG_HELP),
    output: Path = typer.Option(Path("poster.pdf"), "--output", "-o", help=PDF_HELP),
    paper: str | None = typer.Option(None, help=PAPER_HELP),
) -> None:
    """A one-page poster."""
    from vecinos.rights.pdf import write_poster

    size = paper or settings_or_exit().rights_paper
    _per_language(lang, output, ".pdf", lambda kit, code, path: write_poster(kit, code, path, size))


@app.command("door-hanger")
def door_hanger(
    lang: list[str] = typer.Option(["en"], "--lang", "-l", help=LANG_HELP),
    output: Path = typer.Option(Path("door-hanger.pdf"), "--output", "-o", help=PDF_HELP),
    paper: str | None = typer.Option(None, help=PAPER_HELP),
) -> None:
    """Two door hangers per sheet, with cut marks and the knob hole."""
    from vecinos.rights.pdf import write_door_hanger

    size = paper or settings_or_exit().rights_paper
    _per_language(
        lang, output, ".pdf", lambda kit, code, path: write_door_hanger(kit, code, path, size)
    )


@app.command()
def audio(
    lang: list[str] = typer.Option(["en"], "--lang", "-l", help=LANG_HELP),
    output: Path = typer.Option(Path("aviso.wav"), "--output", "-o", help=".wav or .ogg."),
) -> None:
    """The megaphone script spoken by espeak-ng, as WAV or OGG."""
    from vecinos.rights.audio import write_audio

    _per_language(lang, output, output.suffix or ".wav", write_audio)


@app.command()
def export(
    folder: Path = typer.Argument(..., help="Folder to write the bundle into."),
    lang: list[str] = typer.Option([], "--lang", "-l", help="Only these languages."),
    paper: str | None = typer.Option(None, help=PAPER_HELP),
) -> None:
    """A static offline bundle: every page, card, poster, script and audio file."""
    from vecinos.rights.export import plan_export

    settings, kit = _kit()
    try:
        jobs = plan_export(kit, folder, paper=paper or settings.rights_paper, languages=lang)
    except AppError as exc:
        err.print(f"[red]Error:[/red] {exc.message}")
        raise typer.Exit(2) from exc
    _run(jobs)


@app.command()
def check() -> None:
    """Validate content and overrides; show review status, coverage and SMS size per language."""
    _, kit = _kit()
    table = Table(
        "language", "version", "review", "topics", "voice", "SMS", title="rights material"
    )
    for code, language in kit.languages.items():
        count = count_segments(compose(kit, code))
        sms = f"{count.segments} × {count.encoding}"
        table.add_row(
            code,
            str(language.version),
            language.review,
            str(len(language.topics)),
            language.voice or "-",
            sms,
        )
    console.print(table)
    problems = coverage_problems(kit.languages)
    for problem in problems:
        err.print(f"[red]{problem}[/red]")
    if problems:
        raise typer.Exit(1)
