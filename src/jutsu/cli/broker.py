"""``jutsu broker ...``: connect Schwab from a terminal (login), show token health, log out.

``login`` prints the authorisation URL, reads the URL the browser landed on and stores the token
encrypted, exactly like ``POST /api/schwab/initiate`` + ``/callback``. Errors are one
``error: ...`` line on stderr with exit code 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from jutsu.brokers.schwab_client import SchwabConfig
from jutsu.brokers.schwab_oauth import SchwabOAuthFlow
from jutsu.brokers.schwab_tokens import SchwabTokenStore, TokenCipher, token_status
from jutsu.config import load_settings
from jutsu.data.database import create_db_engine
from jutsu.errors import JutsuError

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


@contextmanager
def _services() -> Iterator[tuple[SchwabConfig, Engine, SchwabTokenStore]]:
    engine: Engine | None = None
    try:
        settings = load_settings()
        config = SchwabConfig.from_env()
        engine = create_db_engine(settings.database_url, echo=settings.database_echo)
        yield config, engine, SchwabTokenStore(engine, TokenCipher(config.encryption_keys))
    except JutsuError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        typer.echo(f"error: database: {reason}", err=True)
        raise typer.Exit(1) from None
    finally:
        if engine is not None:
            engine.dispose()


@app.command("login")
def login_command(
    redirect_url: Annotated[
        str | None, typer.Option("--redirect-url", help="The URL the browser landed on (else prompted).")
    ] = None,
) -> None:
    """Authorise Schwab: open the printed URL, approve, paste the URL your browser landed on."""
    with _services() as (config, engine, store):
        flow = SchwabOAuthFlow(config, engine, store)
        start = flow.initiate()
        typer.echo(start.instructions)
        typer.echo(f"\n{start.authorization_url}\n")
        received = redirect_url or typer.prompt("Redirect URL")
        created = flow.complete(received)
        typer.echo(f"Schwab token stored (issued {created:%Y-%m-%d %H:%M} UTC).")


@app.command("status")
def status_command() -> None:
    """Show whether a Schwab token is stored and when it expires."""
    with _services() as (_, _engine, store):
        stored = store.load()
        health = token_status(None if stored is None else stored.created_at, datetime.now(UTC))
        typer.echo(f"{health.level}: {health.message}")
        if health.expires_at is not None:
            typer.echo(f"expires at {health.expires_at:%Y-%m-%d %H:%M} UTC")
        if not health.valid:
            raise typer.Exit(1)


@app.command("logout")
def logout_command() -> None:
    """Delete the stored Schwab token (live trading stops until the next login)."""
    with _services() as (_, _engine, store):
        typer.echo("Schwab token deleted." if store.delete() else "No token stored.")
