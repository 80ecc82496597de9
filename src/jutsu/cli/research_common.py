"""Pieces shared by ``jutsu montecarlo`` and ``jutsu overfit``: database access, progress bar.

Errors follow the CLI convention of :mod:`jutsu.cli.backtest`: a :class:`~jutsu.errors.JutsuError`
becomes one ``error: <message>`` line on stderr and exit code 1; Ctrl-C prints one line and
exits 130 with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import Engine

from jutsu.errors import DataError

__all__ = ["configured_engine", "progress_bar"]


@contextmanager
def configured_engine() -> Iterator[Engine]:
    """An engine on the configured database (``load_settings().database_url``), disposed after."""
    from sqlalchemy.engine import make_url

    from jutsu.config import load_settings
    from jutsu.data.database import create_db_engine

    url = load_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.exists():
            raise DataError(f"no database at {path}: run `jutsu db upgrade` first")
    engine = create_db_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def progress_bar(label: str, total: int, console: Console) -> Iterator[Callable[[int], None]]:
    """A rich progress bar with ETA on stderr; yields ``advance(n)``."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=total)

        def advance(n: int) -> None:
            bar.advance(task, n)

        yield advance
