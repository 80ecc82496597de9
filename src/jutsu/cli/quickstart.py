"""``jutsu quickstart``: the data-and-results half of ``make run`` (see :mod:`jutsu.firstrun`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from jutsu.cli.common import configured_engine
from jutsu.errors import JutsuError

__all__ = ["quickstart_command"]


def quickstart_command(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="CSV files (SYMBOL.csv) to load; default $JUTSU_DATA_DIR, else seeded synthetic data.",
        ),
    ] = None,
    registry: Annotated[Path, typer.Option("--registry", help="Strategy registry file.")] = Path(
        "config/strategies_registry.yaml"
    ),
    runs_dir: Annotated[Path, typer.Option("--runs-dir", help="Where backtest outputs go.")] = Path("runs"),
) -> None:
    """Migrate the database, load market data and backtest the active strategies (idempotent)."""
    from jutsu.firstrun import prepare

    if data_dir is None and os.environ.get("JUTSU_DATA_DIR"):
        data_dir = Path(os.environ["JUTSU_DATA_DIR"])
    with configured_engine() as engine:
        try:
            report = prepare(
                engine, registry_path=registry, runs_dir=runs_dir, data_dir=data_dir, say=typer.echo
            )
        except JutsuError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
    if not report.imported and not report.backtests and not report.replay.strategies:
        typer.echo("already set up: data, backtests and the replayed dry-run history are in place")
    else:
        source = "synthetic (demo) data" if report.data_source == "synthetic" else report.data_source
        loaded, runs = len(report.imported), len(report.backtests)
        replayed = len(report.replay.strategies)
        typer.echo(
            f"ready: {loaded} symbols loaded ({source}), {runs} backtests, "
            f"{replayed} dry-run histories replayed from the stored data"
        )
