"""``jutsu eod backfill --from D --to D``: rebuild ``daily_performance`` for a range of sessions.

Each session is finalized in date order (every row depends on its predecessor), so a backfill
reproduces what the daily 16:15 runs would have written; ``--dry-run`` computes and rolls back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from jutsu.errors import ConfigError, JutsuError

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)


def _date(text: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{flag} {text!r}: expected a date YYYY-MM-DD") from None


@app.command("backfill")
def backfill_command(
    start: Annotated[str, typer.Option("--from", help="First date (YYYY-MM-DD).")],
    end: Annotated[str | None, typer.Option("--to", help="Last date (default: --from).")] = None,
    strategy: Annotated[str | None, typer.Option("--strategy", help="Only this strategy.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Compute, write nothing.")] = False,
    registry: Annotated[Path, typer.Option("--registry")] = Path("config/strategies_registry.yaml"),
) -> None:
    """Finalize every session in the range (and print one line per day)."""
    from jutsu.config import load_settings
    from jutsu.data.database import create_db_engine
    from jutsu.eod.finalize import finalize_range, load_entities

    console, err = Console(), Console(stderr=True)
    try:
        first = _date(start, "--from")
        last = _date(end, "--to") if end else first
        entities = load_entities(registry)
        if strategy is not None:
            entities = [e for e in entities if e.strategy_id == strategy]
            if not entities:
                raise ConfigError(f"strategy {strategy!r} is not an active strategy of {registry}")
        engine = create_db_engine(load_settings().database_url)
        results = finalize_range(engine, first, last, entities, now=dt.datetime.now(dt.UTC), dry_run=dry_run)
    except JutsuError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    for r in results:
        color = "green" if r.status == "completed" else "yellow" if r.status == "partial" else "red"
        note = f" — {'; '.join(r.errors)}" if r.errors else ""
        console.print(f"{r.day} [{color}]{r.status}[/{color}] rows changed {r.rows_written}{note}")
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)
