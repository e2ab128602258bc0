"""`vecinos demo`: migrate, seed the demo coalition, print the logins, serve."""

from __future__ import annotations

import os

import typer
from rich.console import Console
from sqlalchemy import select

from vecinos.accounts import totp
from vecinos.accounts.models import Member, Organization, Role
from vecinos.commands import open_engine, settings_or_exit
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import make_session_factory, transaction, utcnow
from vecinos.demo.seed import DEMO_PASSWORD, DemoLogin, seed
from vecinos.migrations import upgrade

app = typer.Typer(help="The demo coalition on the embedded database.")
PUBLIC_URL_VARIABLE = "VECINOS_PUBLIC_URL"
console = Console()


@app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    serve: bool = typer.Option(True, help="Start the server after seeding."),
) -> None:
    """Migrate, seed the demo coalition, print how to sign in, and serve."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_or_exit()
    if PUBLIC_URL_VARIABLE not in os.environ:
        # Every link the demo prints or sends (invites, opt-in links, alerts) points where it
        # serves.
        settings = settings.model_copy(update={"public_url": served_url(host, port)})
    engine = open_engine(settings)
    upgrade(engine)
    with transaction(make_session_factory(engine)) as db:
        result = seed(
            db,
            now=utcnow(),
            encryptor=_totp_encryptor(settings),
            coalition_name=settings.coalition_name,
            area=settings.service_area_geojson,
            settings=settings,
        )
    console.print(
        "[green]Demo coalition seeded.[/green]"
        if result.created
        else "Demo coalition already in place."
    )
    print_logins(result.logins or _existing_logins(settings), settings)
    print_channels(settings)
    if serve:
        from vecinos.cli import run_server

        os.environ[PUBLIC_URL_VARIABLE] = settings.public_url  # the server reads its settings

        console.print(f"Serving on [bold]{served_url(host, port)}[/bold] — Ctrl+C stops.")
        run_server(host, port, workers=1, demo_mode=True, log_level=settings.log_level)


@app.command("code")
def code(email: str = typer.Argument(..., help="A demo account's e-mail.")) -> None:
    """Print the current two-factor code of a demo account (demo only)."""
    settings = settings_or_exit()
    if not settings.uses_placeholder_secret:
        console.print("[red]Only for the demo: this deployment has a real secret key.[/red]")
        raise typer.Exit(2)
    with transaction(make_session_factory(open_engine(settings))) as db:
        member = db.scalar(select(Member).where(Member.email == email.strip().lower()))
        if member is None or member.totp_secret is None:
            console.print(f"[red]No demo account with two-factor for {email}.[/red]")
            raise typer.Exit(1)
        secret = _totp_encryptor(settings).decrypt(member.totp_secret)
    console.print(totp.code_at(secret, utcnow()))


def print_logins(logins: list[DemoLogin], settings: Settings) -> None:
    """One line per sign-in, never truncated: people copy these e-mails by hand."""
    console.print("[bold]Demo sign-ins[/bold] (one responder shown per organization)")
    current_org = None
    shown_responder_of: set[str] = set()
    for login in logins:
        is_staff = login.totp_secret is not None
        if not is_staff and login.organization in shown_responder_of:
            continue
        if not is_staff:
            shown_responder_of.add(login.organization)
        if login.organization != current_org:
            current_org = login.organization
            console.print(f"\n  [underline]{current_org}[/underline]")
        roles = ", ".join(r.value for r in login.roles)
        console.print(f"    {roles:<30} {login.email}  ({login.display_name})", soft_wrap=True)
    console.print(f"\nPassword for every demo account: [bold]{DEMO_PASSWORD}[/bold]")
    console.print(
        "Staff accounts need a two-factor code: "
        "[bold].venv/bin/vecinos demo code EMAIL[/bold] prints the current one.",
        soft_wrap=True,
    )
    console.print(f"Health check: curl {settings.public_url}/api/health", soft_wrap=True)


def served_url(host: str, port: int) -> str:
    """The address a browser on this machine opens (a wildcard host is not one)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - compared, not bound
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}"


def print_channels(settings: Settings) -> None:
    """What the demo sends for real, and what goes to the demo inbox instead."""
    inbox = f"{settings.public_url.rstrip('/')}/demo/inbox"
    channels = {
        "SMS (Twilio)": bool(settings.twilio_account_sid and settings.twilio_from_number),
        "WhatsApp (Twilio)": bool(settings.twilio_account_sid and settings.twilio_whatsapp_from),
        "E-mail (SMTP)": bool(settings.smtp_host),
        "Web Push (VAPID)": bool(settings.vapid_private_key.get_secret_value()),
    }
    console.print("\n[bold]Alerts and opt-in codes[/bold]")
    for name, configured in channels.items():
        where = "configured: sent for real" if configured else f"not configured: to {inbox}"
        console.print(f"    {name:<18} {where}", soft_wrap=True)
    console.print(f"Read the demo inbox signed in as any demo account: {inbox}", soft_wrap=True)
    console.print(f"Map: {_map_source(settings)}", soft_wrap=True)


def _map_source(settings: Settings) -> str:
    from vecinos.maps.basemap import basemap_path
    from vecinos.maps.view import map_view

    view = map_view(settings)
    if settings.map_tile_url:
        return f"tiles from {settings.map_tile_url}"
    if view.tile_url:
        return f"the self-hosted basemap {basemap_path(settings)} ({view.tile_kind} tiles)"
    return (
        f"zones and the service area only; drop a PMTiles extract at {basemap_path(settings)}"
        " for streets"
    )


def _existing_logins(settings: Settings) -> list[DemoLogin]:
    with transaction(make_session_factory(open_engine(settings))) as db:
        names = {row.id: row.name for row in db.execute(select(Organization.id, Organization.name))}
        members = db.scalars(select(Member).order_by(Member.id)).all()
        return [
            DemoLogin(
                email=m.email,
                display_name=m.display_name,
                organization=names[m.grants[0].organization_id] if m.grants else "",
                roles=sorted({Role(g.role) for g in m.grants}),
                totp_secret="(set)" if m.has_totp else None,
            )
            for m in members
        ]


def _totp_encryptor(settings: Settings) -> Encryptor:
    return Encryptor(settings.secret, "totp", settings.old_secrets)
