"""`jutsu backtest ...` (being built)."""

from __future__ import annotations

import typer


def backtest_command() -> None:
    """Run a backtest (not wired yet)."""
    raise typer.Exit(code=2)
