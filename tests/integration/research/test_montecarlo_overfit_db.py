"""`jutsu montecarlo --run` and `jutsu overfit GRID_RUN_ID` on stored runs (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import uuid
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from jutsu.cli.main import app
from jutsu.data.models import BacktestRun, ResearchResult, ResearchRun
from jutsu.research.overfitting import deflated_sharpe_from_matrix, probability_of_backtest_overfitting

RETURNS = np.random.default_rng(33).normal(0.0004, 0.01, 120)


def _cli(*args: str, db_url: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"DATABASE_URL": db_url})


def _store_backtest(engine: Engine, out_dir: Path | None, capital: float = 5000.0) -> str:
    if out_dir is not None:
        out_dir.mkdir()
        equity = capital * np.cumprod(1 + RETURNS)
        start = dt.date(2022, 1, 3)
        with (out_dir / "equity.csv").open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["date", "equity", "cash", "baseline_equity", "drawdown"])
            for i, v in enumerate(equity):
                w.writerow([(start + dt.timedelta(days=i)).isoformat(), repr(float(v)), "0", "", "0"])
    rid = str(uuid.uuid4())
    with Session(engine) as session, session.begin():
        session.add(
            BacktestRun(
                id=rid,
                strategy_id="sma_crossover",
                params={"fast": 10},
                start_date=dt.date(2022, 1, 3),
                end_date=dt.date(2022, 5, 2),
                initial_capital=Decimal(str(capital)),
                status="completed",
                out_dir=None if out_dir is None else str(out_dir),
            )
        )
    return rid


def test_montecarlo_of_a_stored_run(db_engine: Engine, db_url: str, tmp_path: Path) -> None:
    rid = _store_backtest(db_engine, tmp_path / "bt")
    out = tmp_path / "mc"
    res = _cli(
        "montecarlo", "--run", rid, "--iterations", "200", "--seed", "4", "--out", str(out), db_url=db_url
    )
    assert res.exit_code == 0, res.stderr
    summary = json.loads((out / "montecarlo_summary.json").read_text())
    assert summary["source"].startswith(f"backtest run {rid}")
    assert summary["n_returns"] == 120  # first return against the stored initial capital
    assert summary["initial_capital"] == 5000.0  # the run's own capital when the flags set none
    assert summary["original"]["cagr"]["value"] == pytest.approx(np.prod(1 + RETURNS) ** (252 / 120) - 1)


def test_montecarlo_of_an_unknown_or_gone_run(db_engine: Engine, db_url: str, tmp_path: Path) -> None:
    res = _cli("montecarlo", "--run", "no-such-run", "--out", str(tmp_path / "x"), db_url=db_url)
    assert res.exit_code == 1 and "no backtest run with id 'no-such-run'" in res.stderr
    gone = _store_backtest(db_engine, None)
    res = _cli("montecarlo", "--run", gone, "--out", str(tmp_path / "x"), db_url=db_url)
    assert res.exit_code == 1 and "output directory" in res.stderr and res.stderr.count("\n") == 1
    assert not (tmp_path / "x").exists()


def _store_grid(engine: Engine, matrix: np.ndarray, *, with_returns: bool = True, kind: str = "grid") -> str:
    rid = str(uuid.uuid4())
    dates = [(dt.date(2021, 1, 4) + dt.timedelta(days=i)).isoformat() for i in range(matrix.shape[0])]
    with Session(engine) as session, session.begin():
        session.add(
            ResearchRun(
                id=rid,
                kind=kind,
                config={"strategy": "sma_crossover"},
                status="completed",
                summary={"return_dates": dates},
            )
        )
        session.flush()
        for j in range(matrix.shape[1]):
            session.add(
                ResearchResult(
                    run_id=rid,
                    combo_key=f"k{j:03d}",
                    params={"fast": j + 5},
                    metrics={"sharpe": 0.0},
                    status="completed",
                    returns=[float(v) for v in matrix[:, j]] if with_returns else None,
                )
            )
        session.add(
            ResearchResult(run_id=rid, combo_key="failed", params={"fast": 99}, status="failed", error="boom")
        )
    return rid


def test_overfit_of_a_stored_grid(db_engine: Engine, db_url: str, tmp_path: Path) -> None:
    m = np.random.default_rng(8).normal(0.0002, 0.01, (240, 10))
    rid = _store_grid(db_engine, m)
    out = tmp_path / "ov"
    res = _cli("overfit", rid, "--splits", "8", "--out", str(out), db_url=db_url)
    assert res.exit_code == 0, res.stderr
    doc = json.loads((out / "overfit_summary.json").read_text())
    assert doc["n_trials"] == 10 and doc["n_obs"] == 240  # the failed combination is left out
    assert doc["first_date"] == "2021-01-04"
    assert doc["pbo"]["pbo"] == pytest.approx(probability_of_backtest_overfitting(m, 8).pbo)
    best = deflated_sharpe_from_matrix(m)
    assert doc["dsr"]["dsr"] == pytest.approx(best.dsr)
    assert json.loads(doc["dsr"]["selected_name"]) == {"fast": best.selected + 5}


def test_overfit_errors_on_stored_runs(db_engine: Engine, db_url: str, tmp_path: Path) -> None:
    res = _cli("overfit", "missing", db_url=db_url)
    assert res.exit_code == 1 and "no research run with id 'missing'" in res.stderr
    m = np.zeros((50, 3))
    no_returns = _store_grid(db_engine, m, with_returns=False)
    res = _cli("overfit", no_returns, db_url=db_url)
    assert res.exit_code == 1 and "--matrix FILE" in res.stderr and res.stderr.count("\n") == 1
    wfo = _store_grid(db_engine, m, kind="wfo")
    res = _cli("overfit", wfo, db_url=db_url)
    assert res.exit_code == 1 and "not a grid" in res.stderr
