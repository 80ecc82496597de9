"""``jutsu overfit [GRID_RUN_ID] [--matrix FILE] [--splits 16] [--out DIR]``.

Reads the T×N daily returns matrix of a stored grid run (``research_results.returns``) or of
a CSV file, then computes PBO by CSCV and the Deflated Sharpe Ratio of the best trial and
writes ``overfit_summary.json``, ``overfit_combinations.csv``, ``overfit_trials.csv`` and
``overfit_report.html``. Bad input is one ``error:`` line before any computation.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from jutsu.errors import ConfigError, JutsuError

__all__ = ["overfit_command"]

DEFAULT_OUT_ROOT = Path("runs/overfit")


def _run(
    grid_run_id: str | None,
    matrix_file: Path | None,
    splits: int,
    periods: int,
    out: Path | None,
    err: Console,
) -> tuple[Path, float, float]:
    from jutsu.cli.research_common import progress_bar
    from jutsu.research.outputs import write_files
    from jutsu.research.overfit_inputs import ReturnsMatrix, grid_returns_matrix, read_matrix_csv
    from jutsu.research.overfit_report import render_overfit
    from jutsu.research.overfitting import deflated_sharpe_from_matrix, probability_of_backtest_overfitting

    if (grid_run_id is None) == (matrix_file is None):
        raise ConfigError("give either a GRID_RUN_ID or --matrix FILE (exactly one)")
    if splits < 2 or splits % 2:
        raise ConfigError(f"--splits must be even and at least 2 (got {splits})")
    if splits > 24:
        raise ConfigError(f"--splits {splits} gives C({splits}, {splits // 2}) combinations; use at most 24")
    if periods < 1:
        raise ConfigError(f"--periods-per-year must be at least 1 (got {periods})")
    matrix: ReturnsMatrix
    if matrix_file is not None:
        matrix = read_matrix_csv(matrix_file)
    else:
        from jutsu.cli.research_common import configured_engine

        assert grid_run_id is not None
        with configured_engine() as engine:
            matrix = grid_returns_matrix(engine, grid_run_id)
    out_dir = out or DEFAULT_OUT_ROOT / (grid_run_id or (matrix_file.stem if matrix_file else "matrix"))
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"output directory {out_dir} exists and is not a directory")
    if matrix.values.shape[0] // splits < 2:
        raise ConfigError(
            f"{matrix.values.shape[0]} rows are too few for {splits} splits; use fewer --splits"
        )
    dsr = deflated_sharpe_from_matrix(matrix.values, periods_per_year=periods)
    total = math.comb(splits, splits // 2)
    done = [0]
    with progress_bar("CSCV combinations", total, err) as advance:

        def step(k: int, _total: int) -> None:
            advance(k - done[0])
            done[0] = k

        pbo = probability_of_backtest_overfitting(matrix.values, splits, progress=step)
    write_files(out_dir, render_overfit(matrix, pbo, dsr, periods))
    return out_dir, pbo.pbo, dsr.dsr


def overfit_command(
    grid_run_id: Annotated[
        str | None, typer.Argument(help="Id of a stored grid run (research_runs).")
    ] = None,
    matrix: Annotated[
        Path | None,
        typer.Option(
            "--matrix", help="CSV of per-period returns: optional 'date' column, one column per trial."
        ),
    ] = None,
    splits: Annotated[int, typer.Option("--splits", help="CSCV blocks S (even).")] = 16,
    periods_per_year: Annotated[
        int, typer.Option("--periods-per-year", help="For the annualised companions only.")
    ] = 252,
    out: Annotated[Path | None, typer.Option("--out", help="Output directory.")] = None,
) -> None:
    """Probability of Backtest Overfitting (CSCV) and Deflated Sharpe Ratio of a parameter search.

    Sharpe ratios in the statistics are per period (daily), not annualised; the report shows
    annualised companions. Writes overfit_summary.json, overfit_combinations.csv,
    overfit_trials.csv and overfit_report.html.
    """
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        out_dir, pbo, dsr = _run(grid_run_id, matrix, splits, periods_per_year, out, err)
    except JutsuError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(code=1) from None
    except SQLAlchemyError as exc:
        err.print(f"error: database error: {str(exc).splitlines()[0]}", markup=False)
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        err.print("interrupted: nothing written", markup=False)
        raise typer.Exit(code=130) from None
    Console(highlight=False).print(
        f"PBO {pbo:.2%} · DSR of the best trial {dsr:.4f} · files written to {out_dir}", markup=False
    )
