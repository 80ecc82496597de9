"""``jutsu serve``: run the API with uvicorn.

The server never migrates on its own: when the database is not at the newest migration it
refuses to start and says to run ``jutsu db upgrade``. With ``AUTH_REQUIRED=false`` it only
binds to a loopback address (platform.md §4.1).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

import typer

from jutsu.errors import ConfigError

__all__ = ["check_startable", "serve_command"]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_startable(database_url: str, host: str, auth_required: bool) -> None:
    """Raise :class:`ConfigError` with a one-line reason when the server must not start."""
    from jutsu.data.database import create_db_engine
    from jutsu.data.migrate import current_revision, head_revision

    if not auth_required and not _is_loopback(host):
        raise ConfigError(f"AUTH_REQUIRED=false: refusing to listen on non-loopback address {host}")
    engine = create_db_engine(database_url)
    try:
        current, head = current_revision(engine), head_revision()
    finally:
        engine.dispose()
    if current != head:
        raise ConfigError(
            f"database schema is at revision {current or 'none'} but this version needs {head}: "
            "run `jutsu db upgrade` first"
        )


def _warm_pool(_app: object, container: Any) -> None:
    """Startup hook: open the pool's connections before the first request needs them."""
    from jutsu.data.database import warm_pool

    warm_pool(container.engine)


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8000,
    access_log: Annotated[
        bool, typer.Option(help="uvicorn's own line per request (nginx already logs each request)")
    ] = False,
) -> None:
    """Start the API server (run `jutsu db upgrade` first).

    uvicorn's access log is off by default: in the documented deployment nginx writes the access
    log, and the duplicate line cost about 3% of the server's CPU per request under load.
    """
    import uvicorn

    from jutsu.api.app import create_app
    from jutsu.config import load_settings
    from jutsu.config.logsetup import configure_logging

    try:
        settings = load_settings()
        check_startable(settings.database_url, host, settings.auth_required)
        app = create_app(settings, startup_hooks=[_warm_pool], with_scheduler=True)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    # Our handlers (LOG_LEVEL, LOG_FORMAT, secret masking) for every logger, uvicorn's included:
    # log_config=None stops uvicorn from installing its own unmasked handlers.
    configure_logging(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=False,
        server_header=False,
        access_log=access_log,
        log_config=None,
    )
