"""``jutsu montecarlo [CONFIG] [--run RUN_ID] [--out DIR] [...]``.

Thin: read the config (or flags), load the returns, validate everything, then simulate with
a progress bar and write ``montecarlo_summary.json``, ``montecarlo_runs.csv``,
``montecarlo_bands.csv`` and ``montecarlo_report.html``. Bad input is one ``error:`` line
before any simulation; Ctrl-C stops between chunks, writes nothing and exits 130.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from jutsu.errors import ConfigError, JutsuError

if TYPE_CHECKING:
    from jutsu.research.montecarlo import FloatArray
    from jutsu.research.montecarlo_config import MonteCarloConfig

__all__ = ["montecarlo_command"]

DEFAULT_OUT_ROOT = Path("runs/montecarlo")


def _load_returns(cfg: MonteCarloConfig) -> tuple[FloatArray, str, float | None]:
    """(returns, description of the source, the source's initial capital if it has one)."""
    from jutsu.research.montecarlo_inputs import backtest_dir_returns, read_returns_csv, stored_run_returns

    if cfg.input_file is not None:
        return read_returns_csv(cfg.input_file, cfg.returns_column), f"returns file {cfg.input_file}", None
    if cfg.backtest_dir is not None:
        r = backtest_dir_returns(cfg.backtest_dir, cfg.returns_unit)
        return r, f"backtest directory {cfg.backtest_dir} ({cfg.returns_unit} returns)", None
    from jutsu.cli.research_common import configured_engine

    assert cfg.run_id is not None  # the config validated exactly one input
    with configured_engine() as engine:
        r, capital = stored_run_returns(engine, cfg.run_id, cfg.returns_unit)
    return r, f"backtest run {cfg.run_id} ({cfg.returns_unit} returns)", capital


def _run(
    config: Path | None,
    run_id: str | None,
    out: Path | None,
    flags: dict[str, Any],
    err: Console,
) -> tuple[Path, dict[str, Any]]:
    from jutsu.research.montecarlo import run_monte_carlo, summarize
    from jutsu.research.montecarlo_config import config_from_flags, load_montecarlo_config
    from jutsu.research.montecarlo_report import render_montecarlo
    from jutsu.research.outputs import write_files

    overrides = {k: v for k, v in flags.items() if v is not None}
    if run_id is not None:
        overrides.update(run_id=run_id, input_file=None, backtest_dir=None)
    cfg = load_montecarlo_config(config, overrides) if config is not None else config_from_flags(overrides)
    if not cfg.has_input:
        raise ConfigError(
            "no input: set input_file, backtest_dir or run_id in the config, or pass --run RUN_ID"
        )
    out_dir = out or cfg.output_directory
    if out_dir is None:
        out_dir = DEFAULT_OUT_ROOT / (cfg.run_id or (config.stem if config is not None else "run"))
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"output directory {out_dir} exists and is not a directory")
    returns, source, capital = _load_returns(cfg)
    spec = cfg.spec()
    if capital is not None and "initial_capital" not in cfg.model_fields_set:
        spec = dataclasses.replace(spec, initial_capital=capital)  # a stored run's own capital
    spec.check(len(returns))  # every input problem is reported before the first simulation

    cancel = threading.Event()
    from jutsu.cli.research_common import progress_bar

    with progress_bar(f"Monte Carlo ({spec.method})", spec.iterations, err) as advance:
        try:
            result = run_monte_carlo(returns, spec, workers=cfg.workers, progress=advance, cancel=cancel)
        except KeyboardInterrupt:
            cancel.set()
            raise
    write_files(out_dir, render_montecarlo(result, source))
    return out_dir, summarize(result)


def _print(out_dir: Path, summary: dict[str, Any]) -> None:
    console = Console(highlight=False)
    d = summary["distributions"]
    med = {
        k: d[k].get("percentiles", {}).get("p50") for k in ("final_equity", "cagr", "max_drawdown", "sharpe")
    }

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.2%}"

    console.print(
        f"{summary['iterations']:,} {summary['method']} runs · median final equity "
        f"{med['final_equity']:,.2f} · median CAGR {pct(med['cagr'])} · median max drawdown "
        f"{pct(med['max_drawdown'])} · P(ruin) {pct(summary['prob_ruin'])}",
        markup=False,
    )
    console.print(f"files written to {out_dir}", markup=False)


def montecarlo_command(
    config: Annotated[
        Path | None, typer.Argument(help="Monte Carlo YAML (see config/research/montecarlo_example.yaml).")
    ] = None,
    run: Annotated[
        str | None, typer.Option("--run", help="Id of a stored backtest run (backtest_runs).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output directory (overrides the config).")
    ] = None,
    iterations: Annotated[int | None, typer.Option("--iterations", help="Number of simulated paths.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (reproducible results).")] = None,
    method: Annotated[str | None, typer.Option("--method", help="bootstrap, block or shuffle.")] = None,
    block_size: Annotated[
        int | None, typer.Option("--block-size", help="Block length (method block).")
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="daily or trades (returns of a backtest run/dir).")
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Threads simulating chunks.")] = None,
) -> None:
    """Monte Carlo of a return series: bootstrap, block bootstrap or trade-order shuffle.

    Input: a config file (returns CSV, backtest output directory or stored run) or --run RUN_ID.
    Writes montecarlo_summary.json, montecarlo_runs.csv, montecarlo_bands.csv and
    montecarlo_report.html (fan chart, histograms). All returns and drawdowns are fractions.
    """
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    flags = {
        "iterations": iterations,
        "random_seed": seed,
        "method": method,
        "block_size": block_size,
        "returns_unit": unit,
        "workers": workers,
    }
    try:
        out_dir, summary = _run(config, run, out, flags, err)
    except JutsuError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(code=1) from None
    except SQLAlchemyError as exc:
        err.print(f"error: database error: {str(exc).splitlines()[0]}", markup=False)
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        err.print("interrupted: Monte Carlo stopped, nothing written", markup=False)
        raise typer.Exit(code=130) from None
    _print(out_dir, summary)
