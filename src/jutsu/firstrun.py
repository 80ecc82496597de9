"""First run: bring an empty install to a platform with data and results, idempotently.

``make run`` calls this before starting the server so a newcomer sees charts a few minutes
after cloning, without a broker account or internet. Every step checks what is already
there, so a second run does (almost) nothing:

1. migrate the database (Alembic);
2. load daily bars for every symbol the active strategies and their baselines need — the
   CSV files of ``data_dir`` when given (``JUTSU_DATA_DIR``), otherwise the seeded synthetic
   universe, stored with ``data_source = "synthetic"`` so it is never mistaken for real data;
3. backtest every active registered strategy over the common data range and record the run,
   unless a run of that strategy on the same data is already recorded;
4. replay the daily dry-run pipeline and the EOD job over the last ~60 stored sessions
   (:mod:`jutsu.firstrun_history`) so the Dashboard and Performance pages have books to show,
   unless the strategy already has runs or daily rows in its mode.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from jutsu.backtest.loaders import database_loader
from jutsu.backtest.models import BacktestRequest
from jutsu.backtest.recording import record_run
from jutsu.backtest.runner import run_backtest_job
from jutsu.data.calendar import last_completed_session
from jutsu.data.migrate import upgrade
from jutsu.data.models import BacktestRun
from jutsu.data.repositories.market_data import import_bars, list_symbols
from jutsu.data.sources.csv_source import read_price_csv
from jutsu.data.sources.synthetic import generate_universe
from jutsu.errors import DataError
from jutsu.firstrun_history import ReplayReport, seed_recent_history
from jutsu.reporting.files import write_outputs
from jutsu.strategies.registry import build_strategy, load_registry

__all__ = ["FirstRunReport", "prepare"]

SYNTHETIC_START = dt.date(2008, 1, 2)
"""Synthetic history starts early enough for every strategy's warm-up before 2010."""

WARMUP_DAYS = 400
"""Calendar days kept before the first backtest date so indicators are warm."""


@dataclass
class FirstRunReport:
    """What :func:`prepare` did (empty lists on a second run)."""

    imported: dict[str, int] = field(default_factory=dict)
    data_source: str = ""
    backtests: dict[str, str] = field(default_factory=dict)
    skipped_backtests: list[str] = field(default_factory=list)
    replay: ReplayReport = field(default_factory=ReplayReport)


def _needed_symbols(registry_path: Path) -> tuple[list[str], list[str]]:
    """Active strategy ids, and every symbol they trade or compare against (sorted)."""
    registry = load_registry(registry_path)
    active = registry.active_ids()
    symbols: set[str] = set()
    for strategy_id in active:
        strategy = build_strategy(strategy_id, registry_path=registry_path)
        symbols.update(strategy.symbols())
        symbols.add(registry.strategies[strategy_id].baseline_symbol or "QQQ")
    return active, sorted(symbols)


def _load_data(
    engine: Engine, symbols: list[str], data_dir: Path | None, today: dt.date, say: Callable[[str], None]
) -> tuple[dict[str, int], str]:
    stored = {row.symbol for row in list_symbols(engine)}
    missing = [s for s in symbols if s not in stored]
    if not missing:
        return {}, "existing"
    imported: dict[str, int] = {}
    if data_dir is not None:
        for symbol in missing:
            path = data_dir / f"{symbol}.csv"
            if not path.is_file():
                raise DataError(f"{path}: no CSV file for {symbol}, which an active strategy needs")
            sym, frame = read_price_csv(path, symbol)
            imported[sym] = import_bars(engine, sym, frame, "csv").inserted
            say(f"imported {imported[sym]} bars of {sym} from {path}")
        return imported, "csv"
    end = last_completed_session(dt.datetime.combine(today, dt.time(23, 59), tzinfo=dt.UTC))
    universe = generate_universe(42, SYNTHETIC_START, end)
    for symbol in missing:
        if symbol not in universe:
            raise DataError(f"the synthetic generator has no {symbol}; set JUTSU_DATA_DIR to real CSVs")
        imported[symbol] = import_bars(engine, symbol, universe[symbol], "synthetic").inserted
        say(f"generated {imported[symbol]} synthetic bars of {symbol} (labelled synthetic)")
    return imported, "synthetic"


def _common_range(engine: Engine, symbols: list[str]) -> tuple[dt.date, dt.date]:
    coverage = {row.symbol: row for row in list_symbols(engine) if row.symbol in symbols}
    first = max(row.first for row in coverage.values()) + dt.timedelta(days=WARMUP_DAYS)
    last = min(row.last for row in coverage.values())
    if first >= last:
        raise DataError(f"not enough common history for {', '.join(symbols)} to run a backtest")
    return first, last


def prepare(
    engine: Engine,
    *,
    registry_path: Path,
    runs_dir: Path,
    data_dir: Path | None = None,
    today: dt.date | None = None,
    say: Callable[[str], None] = lambda _msg: None,
) -> FirstRunReport:
    """Migrate, load data and record one backtest per active strategy; safe to repeat."""
    upgrade(engine)
    report = FirstRunReport()
    active, symbols = _needed_symbols(registry_path)
    report.imported, report.data_source = _load_data(engine, symbols, data_dir, today or dt.date.today(), say)
    start, end = _common_range(engine, symbols)
    loader = database_loader(engine)
    with engine.connect() as conn:
        recorded = set(conn.scalars(select(BacktestRun.strategy_id).where(BacktestRun.status == "completed")))
    for strategy_id in active:
        if strategy_id in recorded:
            report.skipped_backtests.append(strategy_id)
            continue
        request = BacktestRequest(strategy_id=strategy_id, start=start, end=end)
        outcome = run_backtest_job(request, load_frames=loader, registry_path=registry_path)
        out_dir = runs_dir / strategy_id
        write_outputs(outcome, out_dir)
        report.backtests[strategy_id] = record_run(engine, outcome, out_dir=out_dir)
        say(f"backtested {strategy_id} {start} → {end}: results in {out_dir}")
    label = _data_label(engine, symbols)
    report.replay = seed_recent_history(
        engine,
        registry_path=registry_path,
        first_stored=start - dt.timedelta(days=WARMUP_DAYS),
        last_stored=end,
        data_label=label,
        say=say,
    )
    return report


def _data_label(engine: Engine, symbols: list[str]) -> str:
    """``synthetic``, ``csv``… — what the replay is made of, said so nobody mistakes it for trading."""
    sources = sorted({row.source for row in list_symbols(engine) if row.symbol in symbols})
    return "/".join(sources) or "stored"
