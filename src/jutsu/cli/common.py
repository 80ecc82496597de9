"""Helpers shared by CLI commands: the configured database engine with one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from jutsu.config import load_settings
from jutsu.data.database import create_db_engine, mask_url
from jutsu.errors import JutsuError

__all__ = ["configured_engine"]


@contextmanager
def configured_engine() -> Iterator[Engine]:
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
