"""`vecinos admin`: the first account of a real deployment (there is no open sign-up)."""

from __future__ import annotations

import typer
from rich.console import Console

from vecinos.accounts import passwords
from vecinos.accounts.members import create_organization, the_coalition
from vecinos.accounts.models import Member, Role, RoleGrant
from vecinos.accounts.signin import find_member, normalise_email
from vecinos.commands import open_engine, settings_or_exit
from vecinos.db import make_session_factory, transaction, utcnow
from vecinos.errors import AppError

app = typer.Typer(help="Bootstrap a deployment.", no_args_is_help=True)
console = Console()


@app.command("create")
def create_first_admin(
    email: str = typer.Option(..., help="The admin's e-mail."),
    name: str = typer.Option(..., help="The admin's display name."),
    organization: str = typer.Option(..., help="Name of the first organization."),
    slug: str = typer.Option(..., help="Short name of the first organization (a-z, 0-9, -)."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create the first organization and its coalition admin (also its coordinator)."""
    settings = settings_or_exit(require_secrets=True)
    now = utcnow()
    try:
        with transaction(make_session_factory(open_engine(settings))) as db:
            if find_member(db, email) is not None:
                console.print(f"[red]An account for {email} exists already.[/red]")
                raise typer.Exit(1)
            passwords.check_strength(password, email=email, name=name)
            org = create_organization(
                db, the_coalition(db, settings.coalition_name), organization, slug, now=now
            )
            member = Member(
                email=normalise_email(email),
                display_name=name.strip(),
                password_hash=passwords.hash_password(password),
                created_at=now,
            )
            member.grants = [
                RoleGrant(organization_id=org.id, role=role, granted_at=now)
                for role in (Role.ADMIN, Role.COORDINATOR)
            ]
            db.add(member)
    except AppError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"Created {organization} and its admin {email}. Sign in and set up two-factor.")
