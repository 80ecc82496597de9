"""``jutsu grid CONFIG`` and ``jutsu wfo CONFIG``: parameter research from a YAML file.

Thin shells over :func:`jutsu.research.grid.run_grid` and
:func:`jutsu.research.walkforward.run_walk_forward`. Bars come from the configured database
or, with ``--data-dir``, from CSV files; results always go to the configured database
(``research_runs`` / ``research_results``, committed as they arrive — that is what makes a
re-run resume) and the report files to ``--out``. Ctrl-C stops cleanly: finished results
stay stored, exit code 130, and the same command continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from jutsu.errors import ConfigError, DataError, JutsuError

__all__ = ["grid_command", "wfo_command"]

ConfigArg = Annotated[Path, typer.Argument(help="Research YAML file (see config/research/).")]
ExecutorOpt = Annotated[
    str,
    typer.Option(
        "--executor",
        help="local (process pool, one worker per core), local:N, dask:local[:N] or dask://HOST:PORT.",
    ),
]
OutOpt = Annotated[Path, typer.Option("--out", help="Directory for the report and result files.")]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Read bars from DIR/SYMBOL.csv instead of the database.")
]


def _database() -> tuple[Engine, str]:
    """The configured database; it must be migrated (results and resume live there)."""
    from jutsu.config import load_settings
    from jutsu.data.database import create_db_engine, mask_url

    url = load_settings().database_url
    engine = create_db_engine(url)
    masked = mask_url(url)
    try:
        ready = inspect(engine).has_table("research_results")
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DataError(f"cannot open the database {masked}: {str(exc).splitlines()[0]}") from None
    if not ready:
        engine.dispose()
        raise DataError(f"the database {masked} has no schema yet: run `jutsu db upgrade` first")
    return engine, masked


@contextmanager
def _progress_bar(label: str, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    if quiet:
        yield lambda done, total: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _run(
    kind: str, config_path: Path, executor_spec: str, out: Path, data_dir: Path | None
) -> tuple[Any, list[Path]]:
    from jutsu.backtest.loaders import FrameLoader, csv_dir_loader, database_loader
    from jutsu.research.combos import expand_grid
    from jutsu.research.config import load_research_config
    from jutsu.research.executors import parse_executor
    from jutsu.research.grid import run_grid
    from jutsu.research.report import write_grid_outputs, write_wfo_outputs
    from jutsu.research.walkforward import run_walk_forward

    config = load_research_config(config_path)
    if kind == "wfo" and config.walk_forward is None:
        raise ConfigError(f"{config_path}: a walk_forward section is required for jutsu wfo")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} exists and is not a directory")
    expand_grid(config)  # parameter errors before any data, database or worker is touched
    executor = parse_executor(executor_spec)
    engine, _ = _database()
    try:
        loader: FrameLoader = csv_dir_loader(data_dir) if data_dir is not None else database_loader(engine)
        with executor, _progress_bar(f"{kind} {config.strategy}", quiet=False) as progress:
            if kind == "grid":
                grid = run_grid(config, loader=loader, executor=executor, engine=engine, progress=progress)
                return grid, write_grid_outputs(grid, out)
            wfo = run_walk_forward(config, loader=loader, executor=executor, engine=engine, progress=progress)
            return wfo, write_wfo_outputs(wfo, out)
    finally:
        engine.dispose()


def _main(kind: str, config: Path, executor: str, out: Path, data_dir: Path | None) -> None:
    from jutsu.reporting.html import format_metric
    from jutsu.research.grid import GridResult
    from jutsu.research.jobs import ResearchInterrupted

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        result, paths = _run(kind, config, executor, out, data_dir)
    except ResearchInterrupted as exc:
        err.print(f"stopped: {exc}", markup=False)
        raise typer.Exit(code=130) from None
    except KeyboardInterrupt:
        err.print("stopped before any result was computed", markup=False)
        raise typer.Exit(code=130) from None
    except JutsuError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(code=1) from None
    except SQLAlchemyError as exc:
        err.print(f"error: database error: {str(exc).splitlines()[0]}", markup=False)
        raise typer.Exit(code=1) from None
    console = Console(highlight=False, soft_wrap=True)
    if isinstance(result, GridResult):
        metric = result.config.objective.metric
        console.print(
            f"grid run {result.run_id}: {len(result.rows)} combinations ({result.evaluated} computed now)"
        )
        for rank, row in enumerate(result.top(5), start=1):
            params = ", ".join(f"{k}={v}" for k, v in row.params.items())
            console.print(
                f"  {rank}. {params}  {metric}={format_metric(metric, row.value(metric))}", markup=False
            )
    else:
        wfe = "n/a" if result.efficiency is None else f"{result.efficiency:.2f}"
        console.print(
            f"wfo run {result.run_id}: {len(result.windows)} windows, OOS CAGR "
            f"{format_metric('cagr', result.metrics.get('cagr'))}, WFE {wfe}",
            markup=False,
        )
    console.print(f"files written to {out}: {', '.join(p.name for p in paths)}", markup=False)


def grid_command(
    config: ConfigArg,
    out: OutOpt,
    executor: ExecutorOpt = "local",
    data_dir: DataDirOpt = None,
) -> None:
    """Grid search: backtest every parameter combination of CONFIG, rank by its objective.

    Writes results.csv, summary.json and report.html (top-N table, heat maps). Results are
    stored in the database as they finish; re-running the same CONFIG resumes.
    """
    _main("grid", config, executor, out, data_dir)


def wfo_command(
    config: ConfigArg,
    out: OutOpt,
    executor: ExecutorOpt = "local",
    data_dir: DataDirOpt = None,
) -> None:
    """Walk-forward optimisation over CONFIG's walk_forward windows.

    Writes windows.csv (parameter log, efficiency), oos_equity.csv (stitched OOS curve and
    baseline), summary.json and report.html. Re-running the same CONFIG resumes.
    """
    _main("wfo", config, executor, out, data_dir)
