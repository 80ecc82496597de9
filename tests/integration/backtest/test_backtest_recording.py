"""Recording runs in `backtest_runs`, and reading bars from the database (SQLite + PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from backtest_cli_helpers import PRICES, run_cli
from sqlalchemy import Engine, select

from jutsu.backtest.loaders import csv_dir_loader
from jutsu.backtest.models import BacktestRequest
from jutsu.backtest.recording import has_backtest_runs_table, record_run
from jutsu.backtest.runner import run_backtest_job
from jutsu.data.database import create_db_engine
from jutsu.data.models import BacktestRun
from jutsu.data.repositories.market_data import import_bars
from jutsu.data.sources.csv_source import read_price_csv

FAST = ["--param", "fast=10", "--param", "slow=30"]


def _rows(engine: Engine) -> list[BacktestRun]:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return list(session.scalars(select(BacktestRun)))


def test_record_run_stores_everything(db_engine: Engine, tmp_path: Path) -> None:
    request = BacktestRequest(
        "sma_crossover", dt.date(2015, 1, 2), dt.date(2016, 12, 30), overrides={"fast": "10", "slow": "30"}
    )
    outcome = run_backtest_job(request, load_frames=csv_dir_loader(PRICES))
    run_id = record_run(db_engine, outcome, out_dir=tmp_path / "out")
    [row] = _rows(db_engine)
    assert row.id == run_id
    assert row.strategy_id == "sma_crossover"
    assert row.params["fast"] == 10 and row.params["slow"] == 30
    assert (row.start_date, row.end_date) == (request.start, request.end)
    assert row.initial_capital == Decimal("10000")
    assert row.status == "completed"
    assert row.finished_at is not None and row.finished_at.tzinfo is not None
    assert row.data_fingerprint == outcome.data_fingerprint
    assert row.engine_version == outcome.engine_version
    assert row.out_dir == str((tmp_path / "out").resolve())
    assert row.summary["strategy"]["final_value"] == pytest.approx(float(outcome.result.snapshots[-1].equity))
    assert row.summary["baseline"]["total_return"] == pytest.approx(outcome.baseline_metrics["total_return"])


def test_cli_records_a_data_dir_run(db_engine: Engine, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["sma_crossover", "--start", "2015-01-02", "--end", "2015-12-31", *FAST, "--data-dir", str(PRICES)]
    result = run_cli(*args, "--out", str(out), env={"DATABASE_URL": db_url})
    assert result.exit_code == 0, result.stderr
    assert "not recorded" not in result.stderr
    [row] = _rows(db_engine)
    summary = json.loads((out / "summary.json").read_text())
    assert row.summary == summary
    assert row.out_dir == str(out.resolve())


def test_cli_warns_once_when_the_database_is_not_migrated(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["sma_crossover", "--start", "2015-01-02", "--end", "2015-12-31", *FAST, "--data-dir", str(PRICES)]
    result = run_cli(*args, "--out", str(out), env={"DATABASE_URL": db_url})
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(lines) == 1 and "not recorded" in lines[0] and "jutsu db upgrade" in lines[0]
    assert (out / "summary.json").is_file()
    engine = create_db_engine(db_url)
    try:
        assert not has_backtest_runs_table(engine)
    finally:
        engine.dispose()


def test_cli_reads_bars_from_the_database(db_engine: Engine, db_url: str, tmp_path: Path) -> None:
    _, frame = read_price_csv(PRICES / "QQQ.csv", "QQQ")
    dates = frame["date"].dt.date
    window = frame[(dates >= dt.date(2014, 6, 1)) & (dates <= dt.date(2016, 12, 30))].reset_index(drop=True)
    import_bars(db_engine, "QQQ", window, source="csv")

    common = ["sma_crossover", "--start", "2015-01-02", "--end", "2016-12-30", *FAST]
    from_db = run_cli(*common, "--out", str(tmp_path / "db"), env={"DATABASE_URL": db_url})
    assert from_db.exit_code == 0, from_db.stderr
    from_csv = run_cli(
        *common, "--data-dir", str(PRICES), "--out", str(tmp_path / "csv"), env={"DATABASE_URL": db_url}
    )
    assert from_csv.exit_code == 0, from_csv.stderr
    # same bars (the warm-up window lies inside the imported slice) -> identical files
    for name in ("equity.csv", "trades.csv", "decisions.csv"):
        assert (tmp_path / "db" / name).read_text() == (tmp_path / "csv" / name).read_text(), name
    assert len(_rows(db_engine)) == 2


def test_cli_database_without_bars_is_a_clear_error(db_engine: Engine, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "sma_crossover", "--start", "2015-01-02", "--end", "2015-12-31", "--out", str(out),
        env={"DATABASE_URL": db_url},
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "QQQ" in result.stderr
    assert not out.exists()
    assert _rows(db_engine) == []
