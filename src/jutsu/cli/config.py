"""``jutsu config override set|list|clear``: runtime overrides with a mandatory expiry and reason.

Writes go through the same code as ``PUT /api/config`` (``ConfigService``), so validation and
the ``config_history`` audit are identical; a running scheduler picks an ``execution_time``
change up within its override poll interval (the API path reschedules at once).
"""

from __future__ import annotations

import datetime as dt
import getpass
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jutsu.errors import ConfigError, JutsuError

__all__ = ["app", "parse_duration"]

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
override_app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(override_app, name="override", help="Runtime overrides (expiring, audited).")

_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> dt.timedelta:
    """``30m``, ``2h``, ``7d`` → timedelta (positive)."""
    match = _DURATION.match(text)
    if match is None or int(match.group(1)) == 0:
        raise ConfigError(f"--expires-in {text!r}: expected a positive duration such as 30m, 2h or 7d")
    return dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _service(registry: Path) -> object:
    from jutsu.api.services.config import ConfigService
    from jutsu.api.services.strategies import StrategyCatalog
    from jutsu.config import load_settings
    from jutsu.data.database import create_db_engine, session_factory

    engine = create_db_engine(load_settings().database_url)
    return ConfigService(session_factory(engine), StrategyCatalog(registry))


def _fail(exc: Exception) -> None:
    detail = getattr(exc, "detail", None) or str(exc)
    Console(stderr=True).print(f"[red]error:[/red] {detail}", highlight=False)
    raise typer.Exit(1)


RegistryOpt = Annotated[Path, typer.Option("--registry")]
_REGISTRY = Path("config/strategies_registry.yaml")


@override_app.command("set")
def set_command(
    name: Annotated[str, typer.Argument(help="Parameter, e.g. execution_time or sma_fast.")],
    value: Annotated[str, typer.Argument(help="New value.")],
    expires_in: Annotated[str, typer.Option("--expires-in", help="Required: 30m, 2h, 7d ...")],
    reason: Annotated[str, typer.Option("--reason", help="Required: why.")],
    strategy: Annotated[
        str | None, typer.Option("--strategy", help="Strategy id (not for execution_time).")
    ] = None,
    registry: RegistryOpt = _REGISTRY,
) -> None:
    """Create or replace an override."""
    from fastapi import HTTPException

    from jutsu.api.schemas.config import ConfigUpdate

    try:
        expires = dt.datetime.now(dt.UTC) + parse_duration(expires_in)
        update = ConfigUpdate(
            parameter_name=name, new_value=value, reason=reason, expires_at=expires, strategy_id=strategy
        )
        result = _service(registry).set_override(update, f"cli:{getpass.getuser()}"[:50], None)  # type: ignore[attr-defined]
    except (JutsuError, HTTPException, ValueError) as exc:
        _fail(exc)
        return
    Console().print(f"{result.message} (was {result.old_value})")


@override_app.command("clear")
def clear_command(
    name: Annotated[str, typer.Argument(help="Parameter to reset.")],
    strategy: Annotated[str | None, typer.Option("--strategy")] = None,
    registry: RegistryOpt = _REGISTRY,
) -> None:
    """Deactivate an override (back to the file or default value)."""
    from fastapi import HTTPException

    try:
        result = _service(registry).reset(name, strategy, f"cli:{getpass.getuser()}"[:50])  # type: ignore[attr-defined]
    except (JutsuError, HTTPException) as exc:
        _fail(exc)
        return
    Console().print(result.message)


@override_app.command("list")
def list_command() -> None:
    """Active overrides (expired ones are swept and audited first)."""
    from jutsu.config import load_settings
    from jutsu.data.database import create_db_engine
    from jutsu.scheduler.overrides import list_overrides

    try:
        engine = create_db_engine(load_settings().database_url)
        rows = list_overrides(engine, dt.datetime.now(dt.UTC))
    except JutsuError as exc:
        _fail(exc)
        return
    table = Table("strategy", "parameter", "value", "was", "expires", "reason")
    for o in rows:
        table.add_row(
            o.strategy_id,
            o.parameter_name,
            o.override_value,
            o.original_value or "",
            o.expires_at.isoformat() if o.expires_at else "",
            o.reason or "",
        )
    Console().print(table)
