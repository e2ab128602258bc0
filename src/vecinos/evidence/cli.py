"""`vecinos export …`: signed legal exports, their verification, retention."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from vecinos.accounts import audit
from vecinos.commands import open_engine, settings_or_exit
from vecinos.db import make_session_factory, transaction
from vecinos.evidence import retention
from vecinos.evidence.bundle import write_bundle
from vecinos.evidence.credentials import configured
from vecinos.evidence.signing import (
    has_signing_key,
    key_id,
    load_public,
    public_pem,
    signing_key,
)
from vecinos.evidence.storage import storage_for
from vecinos.incidents.models import Incident

if TYPE_CHECKING:
    from vecinos.anchoring.tsa import Trust

app = typer.Typer(help="Legal exports of incidents, their verification, retention.")
console = Console()
err = Console(stderr=True)


@app.command("incident")
def export_incident(
    incident_id: int = typer.Argument(..., help="The incident to export."),
    output: Path = typer.Option(..., "-o", "--output", help="Where to write the zip."),
    lang: str | None = typer.Option(
        None, "--lang", help="Language of report.pdf (en or es); default: the deployment's."
    ),
) -> None:
    """Write the signed evidence bundle of one incident (exit 1: no such incident)."""
    settings = settings_or_exit()
    language = lang or settings.default_language
    engine = open_engine(settings)
    now = datetime.now(UTC)
    try:
        with transaction(make_session_factory(engine)) as db:
            incident = db.get(Incident, incident_id)
            if incident is None:
                err.print(f"[red]No incident {incident_id}.[/red]")
                raise typer.Exit(1)
            key = signing_key(settings)
            manifest = write_bundle(
                db, storage_for(settings), key, incident, output, now=now, language=language,
                credentials=configured(settings),
            )  # fmt: skip
            audit.record(
                db, "evidence.exported", at=now, organization_id=incident.organization_id,
                incident_id=incident.id, files=len(manifest["files"]), via="cli",
            )  # fmt: skip
    finally:
        engine.dispose()
    console.print(
        f"Wrote {output}: {len(manifest['files'])} files, signed with key {manifest['key_id']}."
    )


@app.command("verify")
def verify(
    bundle: Path = typer.Argument(..., help="The zip to check."),
    public_key: Path | None = typer.Option(
        None,
        "--public-key",
        help="PEM public key of the deployment that signed it; default: this deployment's key.",
    ),
    tsa_certificate: Path | None = typer.Option(
        None,
        "--tsa-certificate",
        help="PEM certificates of the time-stamping authority; default: VECINOS_TSA_CERTIFICATE.",
    ),
) -> None:
    """Check signature, manifest, timeline chain, media and RFC 3161 time-stamps (offline);
    exit 1 naming the first mismatch."""
    # Here, not at the top: checking brings the TSA's X.509 and RFC 3161 libraries, for this one
    # command, and every `vecinos` command (`serve` among them) imports this module.
    from vecinos.evidence.verify import verify_bundle

    settings = settings_or_exit()
    trust = _trust_or_exit(tsa_certificate or settings.tsa_certificate)
    if public_key is not None:
        key = load_public(public_key.read_bytes())
    elif has_signing_key(settings):
        key = signing_key(settings).public_key()
    else:  # checking is no reason to make a new key: whose bundles would it check?
        err.print("[red]This deployment has no signing key yet; give --public-key.[/red]")
        raise typer.Exit(2)
    if not bundle.is_file():
        err.print(f"[red]{bundle}: no such file[/red]")
        raise typer.Exit(2)
    verdict = verify_bundle(bundle, key, trust)
    if not verdict.ok:
        err.print(f"[red]TAMPERED OR INVALID: {verdict.problem}[/red]")
        raise typer.Exit(1)
    console.print(
        f"OK: incident {verdict.incident_id}, {verdict.files} files and {verdict.events}"
        f" timeline events match, signed by key {key_id(key)}."
    )
    if verdict.stamped is None:
        console.print("Time-stamps NOT checked: give --tsa-certificate.")
    else:
        console.print(
            f"{verdict.stamped} RFC 3161 time-stamps hold; {verdict.pending} hash(es) had none"
            " yet when the bundle was made."
        )


def _trust_or_exit(path: Path | None) -> Trust | None:
    if path is None:
        return None
    from vecinos.anchoring.tsa import load_trust_file  # as verify_bundle, for `verify` only

    try:
        return load_trust_file(path)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@app.command("public-key")
def show_public_key() -> None:
    """Print this deployment's public signing key (PEM), for those who check bundles."""
    key = signing_key(settings_or_exit()).public_key()
    typer.echo(public_pem(key).decode(), nl=False)


@app.command("retention")
def run_retention(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would be deleted."),
) -> None:
    """Apply each organization's retention policy (legal holds are kept)."""
    settings = settings_or_exit()
    engine = open_engine(settings)
    now = datetime.now(UTC)
    try:
        with transaction(make_session_factory(engine)) as db:
            doomed = retention.plan(db, now)
            table = Table("what", "id", "organization", "incident", "since", title="retention")
            for item in doomed:
                since = item.since.date().isoformat()
                table.add_row(item.what, str(item.id), str(item.organization_id),
                              str(item.incident_id), since)  # fmt: skip
            console.print(table)
            if not dry_run:
                retention.apply(db, storage_for(settings), doomed, now=now)
    finally:
        engine.dispose()
    verb = "Would delete" if dry_run else "Deleted"
    console.print(f"{verb} {len(doomed)} item(s); legal holds kept.")
