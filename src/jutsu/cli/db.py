"""``jutsu db ...``: bring the database schema to a revision and show where it is.

Settings come from :func:`jutsu.config.load_settings` (environment, secrets, ``config/config.yaml``);
the URL is printed masked. Errors are one ``error: ...`` line on stderr with exit code 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from jutsu.config import load_settings
from jutsu.data.database import create_db_engine, mask_url
from jutsu.data.migrate import current_revision, head_revision, upgrade
from jutsu.errors import JutsuError

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


@contextmanager
def _engine() -> Iterator[Engine]:
    """The configured engine; platform and database errors become one line and exit code 1."""
    url = "(not resolved)"
    engine: Engine | None = None
    try:
        settings = load_settings()
        url = mask_url(settings.database_url)
        typer.echo(f"database: {url}")
        engine = create_db_engine(settings.database_url, echo=settings.database_echo)
        yield engine
    except (JutsuError, CommandError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        typer.echo(f"error: database {url}: {mask_url(reason)}", err=True)
        raise typer.Exit(1) from None
    finally:
        if engine is not None:
            engine.dispose()


@app.command("upgrade")
def upgrade_command(
    revision: Annotated[str, typer.Option("--revision", "-r", help="Target revision.")] = "head",
) -> None:
    """Migrate the database schema to REVISION (default: the newest)."""
    with _engine() as engine:
        upgrade(engine, revision)
        typer.echo(f"revision: {current_revision(engine) or '(empty)'}")


@app.command("current")
def current_command() -> None:
    """Show the database's schema revision and the newest one this version ships."""
    with _engine() as engine:
        current = current_revision(engine)
        head = head_revision()
        state = "up to date" if current == head else "upgrade needed: run `jutsu db upgrade`"
        typer.echo(f"revision: {current or '(none)'} (head {head}; {state})")
