"""``jutsu backtest STRATEGY_ID --start D --end D --out DIR [options]``.

Thin by design: parse and validate the flags, call :func:`jutsu.backtest.runner.run_backtest_job`,
write the files, record the run, print a summary. Every :class:`~jutsu.errors.JutsuError`
becomes one ``error: <message>`` line on stderr and exit code 1 — never a stack trace — and
nothing is written to ``--out`` unless the whole run succeeded.

Database use (decided here, documented in ``--help``):

* without ``--data-dir`` bars come from the configured database, which must be migrated;
* with ``--data-dir`` bars come from ``DIR/<SYMBOL>.csv`` only, and the run is still recorded
  in ``backtest_runs`` when the configured database is reachable and migrated; if it is not,
  one ``warning:`` line says so and the command succeeds anyway (files are the main output).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from jutsu.backtest.models import (
    DEFAULT_CAPITAL,
    DEFAULT_COMMISSION_PER_SHARE,
    DEFAULT_SLIPPAGE,
    BacktestOutcome,
    BacktestRequest,
)
from jutsu.errors import ConfigError, DataError, JutsuError

__all__ = ["SUMMARY_METRICS", "backtest_command", "parse_date", "parse_decimal", "parse_params"]

SUMMARY_METRICS = (
    "final_value",
    "total_return",
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "calmar",
    "beta",
    "alpha",
)


def parse_date(flag: str, text: str) -> dt.date:
    """``YYYY-MM-DD`` or a ConfigError naming the flag."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{flag} {text!r} is not a valid date (expected YYYY-MM-DD)") from None


def parse_decimal(flag: str, text: str) -> Decimal:
    """An exact finite number or a ConfigError naming the flag."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ConfigError(f"{flag} {text!r} is not a number") from None
    if not value.is_finite():
        raise ConfigError(f"{flag} {text!r} is not a finite number")
    return value


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``k=v`` strings to a dict (later pairs win); values stay text for the strategy to validate."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--param {pair!r} must look like KEY=VALUE (e.g. --param sma_fast=40)")
        out[key] = value.strip()
    return out


def _configured_url() -> str:
    from jutsu.config import load_settings

    return load_settings().database_url


def _missing_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL when it does not exist yet (opening it would create it)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


def _configured_engine() -> tuple[Engine, str]:
    """The configured database's engine and masked URL (no connection made yet)."""
    from jutsu.data.database import create_db_engine, mask_url

    url = _configured_url()
    return create_db_engine(url), mask_url(url)


def _print_summary(console: Console, outcome: BacktestOutcome, out_dir: Path) -> None:
    from jutsu.reporting.html import format_metric

    res = outcome.result
    table = Table(title=f"{res.strategy_id} {res.start} → {res.end}")
    table.add_column("Metric")
    table.add_column("Strategy", justify="right")
    table.add_column(f"Buy & hold {outcome.baseline_symbol}", justify="right")
    for name in SUMMARY_METRICS:
        if name not in outcome.strategy_metrics and name not in outcome.baseline_metrics:
            continue
        s = format_metric(name, outcome.strategy_metrics[name]) if name in outcome.strategy_metrics else ""
        b = format_metric(name, outcome.baseline_metrics[name]) if name in outcome.baseline_metrics else ""
        table.add_row(name, s, b)
    console.print(table)
    console.print(f"fills: {len(res.fills)}  ·  files written to {out_dir}")


def _warn(err: Console, message: str) -> None:
    err.print(f"warning: {message}", markup=False)


def _record_if_possible(outcome: BacktestOutcome, out_dir: Path, err: Console) -> None:
    """Best-effort recording of a ``--data-dir`` run: a warning line instead of a failure."""
    from jutsu.backtest.recording import has_backtest_runs_table, record_run
    from jutsu.data.database import create_db_engine, mask_url

    upgrade_hint = "run `jutsu db upgrade` to record backtests"
    try:
        url = _configured_url()
        missing = _missing_sqlite_file(url)
        if missing is not None:
            _warn(err, f"run not recorded: no database at {missing} ({upgrade_hint})")
            return
        engine = create_db_engine(url)
        try:
            if not has_backtest_runs_table(engine):
                _warn(err, f"run not recorded: {mask_url(url)} has no backtest_runs table ({upgrade_hint})")
                return
            record_run(engine, outcome, out_dir=out_dir)
        finally:
            engine.dispose()
    except (JutsuError, SQLAlchemyError, OSError) as exc:
        text = str(exc).strip()
        _warn(
            err, f"run not recorded in the database: {text.splitlines()[0] if text else type(exc).__name__}"
        )


def _run(
    strategy_id: str,
    start: str,
    end: str,
    out: Path,
    config: Path | None,
    params: Sequence[str],
    capital: str,
    commission_per_share: str,
    slippage: str,
    data_dir: Path | None,
    err: Console,
) -> tuple[BacktestOutcome, Path]:
    from jutsu.backtest.loaders import FrameLoader, csv_dir_loader, database_loader
    from jutsu.backtest.recording import record_run
    from jutsu.backtest.runner import run_backtest_job
    from jutsu.reporting.files import write_outputs

    request = BacktestRequest(
        strategy_id=strategy_id,
        start=parse_date("--start", start),
        end=parse_date("--end", end),
        initial_capital=parse_decimal("--capital", capital),
        commission_per_share=parse_decimal("--commission-per-share", commission_per_share),
        slippage=parse_decimal("--slippage", slippage),
        config_file=config,
        overrides=parse_params(params),
    )
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} exists and is not a directory")
    if config is not None and not config.is_file():
        raise ConfigError(f"--config {config} does not exist")

    engine: Engine | None = None
    loader: FrameLoader
    if data_dir is not None:
        loader = csv_dir_loader(data_dir)
    else:
        url = _configured_url()
        if _missing_sqlite_file(url) is not None:
            raise DataError(
                f"no database at {_missing_sqlite_file(url)}: run `jutsu db upgrade` and import data, "
                "or pass --data-dir DIR"
            )
        engine, masked = _configured_engine()
        from sqlalchemy import inspect

        try:
            has_bars = inspect(engine).has_table("market_data")
        except SQLAlchemyError as exc:
            raise DataError(f"cannot open the database {masked}: {str(exc).splitlines()[0]}") from None
        if not has_bars:
            raise DataError(
                f"the database {masked} has no schema yet: run `jutsu db upgrade` and import data, "
                "or pass --data-dir DIR"
            )
        loader = database_loader(engine)
    try:
        outcome = run_backtest_job(request, load_frames=loader)
        write_outputs(outcome, out)
        if engine is None:
            _record_if_possible(outcome, out, err)
        else:
            try:
                record_run(engine, outcome, out_dir=out)
            except SQLAlchemyError as exc:  # the files are written: report, do not fail the run
                _warn(err, f"run not recorded in the database: {str(exc).splitlines()[0]}")
    finally:
        if engine is not None:
            engine.dispose()
    return outcome, out


def backtest_command(
    strategy_id: Annotated[str, typer.Argument(help="Strategy id from the registry, e.g. v3_5b.")],
    start: Annotated[str, typer.Option("--start", help="First trading date, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--end", help="Last trading date, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the output files.")],
    config: Annotated[Path | None, typer.Option("--config", help="Strategy YAML file (parameters).")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="Parameter override KEY=VALUE (repeatable).")
    ] = None,
    capital: Annotated[str, typer.Option("--capital", help="Initial capital.")] = str(DEFAULT_CAPITAL),
    commission_per_share: Annotated[
        str, typer.Option("--commission-per-share", help="Commission in $ per share.")
    ] = str(DEFAULT_COMMISSION_PER_SHARE),
    slippage: Annotated[
        str, typer.Option("--slippage", help="Slippage as a fraction of the price (0.001 = 0.1 %).")
    ] = str(DEFAULT_SLIPPAGE),
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Read bars from DIR/SYMBOL.csv instead of the database."),
    ] = None,
) -> None:
    """Backtest a strategy; write summary.json, equity.csv, trades.csv, decisions.csv and report.html.

    Bars come from the database (migrated with `jutsu db upgrade`, filled with `jutsu data
    import`) or, with --data-dir, straight from CSV files. Runs are recorded in the database's
    backtest_runs table; with --data-dir a missing or unmigrated database only prints a warning.
    """
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        outcome, out_dir = _run(
            strategy_id,
            start,
            end,
            out,
            config,
            param or [],
            capital,
            commission_per_share,
            slippage,
            data_dir,
            err,
        )
    except JutsuError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(code=1) from None
    except SQLAlchemyError as exc:
        err.print(f"error: database error: {str(exc).splitlines()[0]}", markup=False)
        raise typer.Exit(code=1) from None
    _print_summary(Console(highlight=False), outcome, out_dir)
