"""`jutsu quickstart` / `make run`'s first-run service: data and backtests, idempotently."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from factories import one_strategy_registry
from jutsu.data.models import BacktestRun, MarketData
from jutsu.data.models.performance import DailyPerformance
from jutsu.data.models.trading import ExecutionRun
from jutsu.data.repositories.market_data import list_symbols
from jutsu.errors import DataError
from jutsu.firstrun import prepare
from jutsu.firstrun_history import REPLAY_SESSIONS


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        bars = conn.scalar(select(func.count()).select_from(MarketData)) or 0
        runs = conn.scalar(select(func.count()).select_from(BacktestRun)) or 0
    return bars, runs


def _books(engine: Engine) -> tuple[dict[tuple[str, str, str], int], int]:
    """daily_performance rows per (entity type, id, mode), and the number of execution runs."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                DailyPerformance.entity_type, DailyPerformance.entity_id, DailyPerformance.mode, func.count()
            ).group_by(DailyPerformance.entity_type, DailyPerformance.entity_id, DailyPerformance.mode)
        ).all()
        runs = conn.scalar(select(func.count()).select_from(ExecutionRun)) or 0
    return {(r[0], r[1], r[2]): r[3] for r in rows}, runs


def test_synthetic_first_run_then_nothing_twice(db_engine: Engine, tmp_path: Path) -> None:
    registry = one_strategy_registry(tmp_path)
    first = prepare(db_engine, registry_path=registry, runs_dir=tmp_path / "runs", today=dt.date(2024, 6, 28))
    assert first.data_source == "synthetic"
    assert set(first.imported) == {"QQQ"} and first.imported["QQQ"] > 4000
    assert [s.source for s in list_symbols(db_engine)] == ["synthetic"]
    assert set(first.backtests) == {"sma_crossover"}
    assert (tmp_path / "runs/sma_crossover/summary.json").is_file()
    before = _counts(db_engine)
    assert before[1] == 1
    # the recent dry-run history: one run and one daily row per replayed session
    replay = first.replay
    assert replay.strategies == ["sma_crossover"] and replay.sessions == REPLAY_SESSIONS
    assert replay.last is not None and replay.last <= dt.date(2024, 6, 28)
    daily, runs = _books(db_engine)
    assert daily[("strategy", "sma_crossover", "dry_run")] == REPLAY_SESSIONS
    assert daily[("baseline", "QQQ", "dry_run")] == REPLAY_SESSIONS
    assert runs == REPLAY_SESSIONS
    books = _books(db_engine)

    again = prepare(db_engine, registry_path=registry, runs_dir=tmp_path / "runs", today=dt.date(2024, 6, 28))
    assert again.imported == {} and again.backtests == {}
    assert again.skipped_backtests == ["sma_crossover"]
    assert again.replay.strategies == [] and again.replay.skipped == ["sma_crossover"]
    assert _counts(db_engine) == before
    assert _books(db_engine) == books


def test_real_csv_directory(db_engine: Engine, tmp_path: Path, shared_prices: Path) -> None:
    registry = one_strategy_registry(tmp_path)
    report = prepare(db_engine, registry_path=registry, runs_dir=tmp_path / "r", data_dir=shared_prices)
    assert report.data_source == "csv"
    qqq = next(s for s in list_symbols(db_engine) if s.symbol == "QQQ")
    assert (qqq.first, qqq.last, qqq.rows) == (dt.date(1999, 3, 10), dt.date(2026, 8, 20), 6905)


def test_missing_csv_is_a_clear_error_and_loads_nothing(db_engine: Engine, tmp_path: Path) -> None:
    empty = tmp_path / "csv"
    empty.mkdir()
    with pytest.raises(DataError, match=r"QQQ\.csv: no CSV file for QQQ"):
        prepare(
            db_engine, registry_path=one_strategy_registry(tmp_path), runs_dir=tmp_path / "r", data_dir=empty
        )
    assert _counts(db_engine) == (0, 0)
