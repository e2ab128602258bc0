"""`vecinos incidents …`: checks on incidents from the command line."""

from __future__ import annotations

from collections.abc import Sequence

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from vecinos.commands import open_engine, settings_or_exit
from vecinos.db import make_session_factory, transaction
from vecinos.incidents.models import Incident
from vecinos.incidents.timeline import Break, verify_incident

app = typer.Typer(help="Incidents and their timelines.", no_args_is_help=True)
console = Console()


@app.command("verify-chain")
def verify_chain() -> None:
    """Check every incident's hash-chained timeline; name the first broken event (exit 1)."""
    engine = open_engine(settings_or_exit())
    try:
        ids, broken = _check_all(make_session_factory(engine))
    finally:
        engine.dispose()
    for item in broken:
        console.print(
            f"[red]incident {item.incident_id}: event {item.seq} (id {item.event_id})"
            f" {item.reason}[/red]"
        )
    if broken:
        raise typer.Exit(1)
    console.print(f"All {len(ids)} incident timelines are intact.")


def _check_all(sessions: sessionmaker[Session]) -> tuple[Sequence[int], list[Break]]:
    broken: list[Break] = []
    with transaction(sessions) as db:
        ids = db.scalars(select(Incident.id).order_by(Incident.id)).all()
        with Progress(console=console, transient=True, disable=len(ids) < 50) as progress:
            task = progress.add_task("Checking timelines", total=len(ids))
            for incident_id in ids:
                found = verify_incident(db, incident_id)
                if found:
                    broken.append(found)
                progress.advance(task)
    return ids, broken
