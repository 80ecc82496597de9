"""``jutsu db ...``: bring the database schema to a revision, show where it is, back up and restore.

Settings come from :func:`jutsu.config.load_settings` (environment, secrets, ``config/config.yaml``);
the URL is printed masked. Errors are one ``error: ...`` line on stderr with exit code 1.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from jutsu.cli.common import configured_engine
from jutsu.data.database import mask_url
from jutsu.data.migrate import current_revision, head_revision, upgrade
from jutsu.ops.backup import DEFAULT_BACKUP_DIR, backup_database, default_backup_path, restore_database

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(
    revision: Annotated[str, typer.Option("--revision", "-r", help="Target revision.")] = "head",
) -> None:
    """Migrate the database schema to REVISION (default: the newest)."""
    with configured_engine() as engine:
        upgrade(engine, revision)
        typer.echo(f"revision: {current_revision(engine) or '(empty)'}")


@app.command("current")
def current_command() -> None:
    """Show the database's schema revision and the newest one this version ships."""
    with configured_engine() as engine:
        current = current_revision(engine)
        head = head_revision()
        state = "up to date" if current == head else "upgrade needed: run `jutsu db upgrade`"
        typer.echo(f"revision: {current or '(none)'} (head {head}; {state})")


@app.command("backup")
def backup_command(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Backup file (default: data/backups/jutsu-<time>).")
    ] = None,
) -> None:
    """Write a consistent backup of the database (SQLite backup API, or pg_dump -Fc)."""
    with configured_engine() as engine:
        url = engine.url.render_as_string(hide_password=False)
        target = out or default_backup_path(url, DEFAULT_BACKUP_DIR, datetime.now(UTC))
        backup_database(url, target)
        typer.echo(f"backup: {target} ({target.stat().st_size} bytes)")


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="A file written by `jutsu db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database's contents with FILE (asks first unless --yes)."""
    with configured_engine() as engine:
        if not yes and not typer.confirm(f"Replace the contents of {mask_url(engine.url)} with {file}?"):
            typer.echo("error: restore cancelled", err=True)
            raise typer.Exit(1)
        restore_database(engine.url.render_as_string(hide_password=False), file)
        typer.echo(f"restored: {file}; revision: {current_revision(engine) or '(none)'}")
