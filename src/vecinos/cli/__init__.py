"""The `vecinos` command: serve, migrate, seed the demo, inspect settings."""

from __future__ import annotations

import gc
import logging
import sys

import typer
from rich.console import Console
from rich.table import Table

from vecinos.alerts import cli as alerts_cli
from vecinos.cli import admin, demo, rights, worker
from vecinos.commands import open_engine, settings_or_exit
from vecinos.evidence import cli as evidence_cli
from vecinos.incidents import cli as incidents_cli
from vecinos.migrations import current_revision, upgrade

app = typer.Typer(help="vecinos: verified alerts instead of rumours.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
config_app = typer.Typer(help="Settings.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(demo.app, name="demo")
app.add_typer(admin.app, name="admin")
app.add_typer(incidents_cli.app, name="incidents")
app.add_typer(rights.app, name="rights")
app.add_typer(evidence_cli.app, name="export")
app.add_typer(alerts_cli.app, name="alerts")
app.command("worker")(worker.worker)
console = Console()


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply database migrations."""
    settings = settings_or_exit()
    engine = open_engine(settings)
    upgrade(engine, revision)
    console.print(f"Database at revision [bold]{current_revision(engine)}[/bold].")


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration revision."""
    engine = open_engine(settings_or_exit())
    console.print(current_revision(engine) or "(empty database)")


@config_app.command("show")
def config_show() -> None:
    """Print the effective settings, secrets masked."""
    settings = settings_or_exit()
    table = Table("setting", "value", "variable", title="vecinos settings")
    for name, value in settings.masked().items():
        table.add_row(name, value, f"VECINOS_{name.upper()}")
    console.print(table)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Web processes."),
) -> None:
    """Run the web server (migrations must be applied first: `vecinos db upgrade`)."""
    settings = settings_or_exit(require_secrets=True)
    run_server(host, port, workers=workers, demo_mode=False, log_level=settings.log_level)


def run_server(host: str, port: int, *, workers: int, demo_mode: bool, log_level: str) -> None:
    import uvicorn

    # Start-up makes a few hundred thousand objects (modules, routes, models) that live as long as
    # the process; the collector cannot free any of them, yet it walked them all several times
    # while the app was imported. Off until the app is built: `vecinos.app.serve.settled`
    # collects once, moves them out of its sight and turns it back on. Only when the app is
    # built in this process: with several workers this one only supervises them.
    if workers == 1:
        gc.disable()
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    raise_open_file_limit()
    factory = "vecinos.app.serve:demo_app" if demo_mode else "vecinos.app.serve:production_app"
    # access_log=False: uvicorn's lines carry the client address; ours (app.answers) do not.
    # proxy_headers=False: never look at X-Forwarded-For at all.
    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        proxy_headers=False,
        log_level=log_level.lower(),
    )


def raise_open_file_limit() -> None:
    """Every open live page holds a socket: the soft limit of open files (often 1024) is raised
    to the hard one, so `VECINOS_SSE_MAX_STREAMS` pages fit with room for the database."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        logging.getLogger("vecinos.serve").info("open files: up to %d (was %d)", wanted, soft)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
