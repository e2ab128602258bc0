"""`vecinos alerts halt | resume`: stop every outgoing alert at once, and start again.

For the moment an account is known to be hijacked and nobody can sign in to the admin page:
the halt is recorded in every organization's audit log, as from the command line.
"""

from __future__ import annotations

import typer
from rich.console import Console

from vecinos.alerts import holds
from vecinos.clock import SystemClock
from vecinos.commands import open_engine, settings_or_exit
from vecinos.db import make_session_factory, transaction
from vecinos.errors import AppError

app = typer.Typer(help="Outgoing alerts.", no_args_is_help=True)
console = Console()


@app.command("halt")
def halt(
    note: str = typer.Option("", help="Why (kept in the audit log, at most 200 characters)."),
) -> None:
    """Stop every outgoing alert delivery now; queued ones wait, none is lost."""
    engine = open_engine(settings_or_exit())
    try:
        with transaction(make_session_factory(engine)) as db:
            hold = holds.halt(db, now=SystemClock().now(), actor_id=None, note=note or None)
            since = hold.started_at
    except AppError as error:
        console.print(f"[yellow]{error.message}[/yellow]")
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    console.print(f"Outgoing alerts stopped at {since:%Y-%m-%d %H:%M:%S} UTC.")


@app.command("resume")
def resume() -> None:
    """Send again: the deliveries that waited go out, oldest first."""
    engine = open_engine(settings_or_exit())
    try:
        with transaction(make_session_factory(engine)) as db:
            holds.resume(db, now=SystemClock().now(), actor_id=None)
    except AppError as error:
        console.print(f"[yellow]{error.message}[/yellow]")
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    console.print("Outgoing alerts resumed.")
