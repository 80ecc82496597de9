"""Grid search and walk-forward against the real database (SQLite and PostgreSQL).

Small grids on QQQ over two or three years, so each test takes a second or two.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from jutsu.backtest.loaders import csv_dir_loader
from jutsu.core.costs import CostModel
from jutsu.core.engine import run_backtest
from jutsu.core.market import MarketData
from jutsu.core.metrics import daily_returns
from jutsu.data.database import create_db_engine
from jutsu.data.migrate import upgrade
from jutsu.data.models import ResearchResult, ResearchRun
from jutsu.errors import ConfigError
from jutsu.research.config import ResearchConfig, parse_research_config
from jutsu.research.executors import LocalExecutor
from jutsu.research.grid import GridResult, run_grid
from jutsu.research.jobs import ResearchInterrupted
from jutsu.research.walkforward import run_walk_forward
from jutsu.strategies.sma_crossover import SmaCrossover, SmaCrossoverParams
from shared_data import PRICES

LOADER = csv_dir_loader(PRICES)


def _config(**over: Any) -> ResearchConfig:
    data: dict[str, Any] = {
        "strategy": "sma_crossover",
        "start": "2018-01-01",
        "end": "2020-12-31",
        "parameters": {"fast": [5, 10, 20], "slow": [30, 60]},
        "fixed": {"symbol": "QQQ"},
        "objective": {"metric": "sharpe", "direction": "maximize"},
    }
    data.update(over)
    return parse_research_config(data)


def _table(result: GridResult) -> list[tuple[int, dict[str, Any], Any, str]]:
    return [(r.index, dict(r.params), r.metrics, r.status) for r in result.rows]


def test_resume_after_interruption_completes_only_the_missing_combos(
    db_engine: Engine, tmp_path: Path
) -> None:
    cfg = _config()
    with LocalExecutor(2) as ex:
        with pytest.raises(ResearchInterrupted) as stop:
            run_grid(cfg, loader=LOADER, executor=ex, engine=db_engine, stop_after=2)
        assert stop.value.done == 2 and stop.value.total == 6
        with Session(db_engine) as s:
            assert s.scalar(select(func.count()).select_from(ResearchResult)) == 2
            assert s.scalar(select(ResearchRun.status)) == "cancelled"
        seen: list[tuple[int, int]] = []
        resumed = run_grid(
            cfg, loader=LOADER, executor=ex, engine=db_engine, progress=lambda d, t: seen.append((d, t))
        )
    assert resumed.evaluated == 4
    assert seen[0] == (2, 6) and seen[-1] == (6, 6)

    reference_engine = create_db_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade(reference_engine)
    try:
        with LocalExecutor(1) as ex:
            reference = run_grid(cfg, loader=LOADER, executor=ex, engine=reference_engine)
    finally:
        reference_engine.dispose()
    assert reference.evaluated == 6
    assert _table(resumed) == _table(reference)
    assert resumed.run_id == reference.run_id  # same inputs, same run identity

    with Session(db_engine) as s:
        run = s.get(ResearchRun, resumed.run_id)
        assert run is not None and run.status == "completed" and run.progress == 1
        rows = s.scalars(select(ResearchResult).where(ResearchResult.run_id == run.id)).all()
        assert len(rows) == 6 and {r.status for r in rows} == {"completed"}
        dates = run.summary["return_dates"]
        assert all(len(r.returns) == len(dates) for r in rows)
        assert dates[0] == "2018-01-02" and dates[-1] == "2020-12-31"

    # A third run finds everything stored and evaluates nothing.
    with LocalExecutor(2) as ex:
        again = run_grid(cfg, loader=LOADER, executor=ex, engine=db_engine)
    assert again.evaluated == 0 and _table(again) == _table(reference)


def test_stored_metrics_and_returns_match_a_direct_backtest(db_engine: Engine) -> None:
    cfg = _config(parameters={"fast": [10], "slow": [30, 60]})
    with LocalExecutor(1) as ex:
        result = run_grid(cfg, loader=LOADER, executor=ex, engine=db_engine)
    market = MarketData.from_frames(LOADER(["QQQ"], dt.date(2017, 1, 1), cfg.end))
    direct = run_backtest(
        SmaCrossover(SmaCrossoverParams(fast=10, slow=60)),
        market,
        start=cfg.start,
        end=cfg.end,
        initial_capital=Decimal("10000"),
        costs=CostModel(),
    )
    row = next(r for r in result.rows if r.params == {"fast": 10, "slow": 60})
    assert row.metrics is not None
    assert row.metrics["final_value"] == pytest.approx(float(direct.snapshots[-1].equity), rel=1e-12)
    with Session(db_engine) as s:
        stored = s.scalar(select(ResearchResult.returns).where(ResearchResult.combo_key == row.key))
    expected = daily_returns([x.equity for x in direct.snapshots], Decimal("10000"))
    assert stored == pytest.approx(expected.tolist(), rel=1e-9, abs=1e-15)


def test_top_n_ranks_by_the_objective_both_ways(db_engine: Engine) -> None:
    with LocalExecutor(2) as ex:
        best_first = run_grid(_config(), loader=LOADER, executor=ex, engine=db_engine)
        worst_first = run_grid(
            _config(objective={"metric": "max_drawdown", "direction": "minimize"}),
            loader=LOADER,
            executor=ex,
            engine=db_engine,
        )
    sharpe = [r.value("sharpe") for r in best_first.top(6)]
    assert sharpe == sorted(sharpe, reverse=True)
    mdd = [r.value("max_drawdown") for r in worst_first.top(3)]
    assert mdd == sorted(mdd) and len(mdd) == 3
    assert worst_first.evaluated == 0  # objective is presentation: same run, nothing recomputed


def test_walk_forward_stitches_the_oos_returns_of_the_chosen_parameters(db_engine: Engine) -> None:
    cfg = _config(
        start="2017-01-01",
        end="2020-12-31",
        walk_forward={
            "mode": "rolling",
            "unit": "sessions",
            "in_sample": 252,
            "out_of_sample": 126,
            "step": 126,
        },
    )
    with LocalExecutor(2) as ex:
        wf = run_walk_forward(cfg, loader=LOADER, executor=ex, engine=db_engine)
    assert len(wf.windows) == 5  # 1007 sessions 2017-2020: (1007 - 252) // 126 = 5 full OOS periods
    market = MarketData.from_frames(LOADER(["QQQ"], dt.date(2016, 1, 1), cfg.end))
    chained: list[float] = []
    for w in wf.windows:
        assert w.error is None and w.params is not None
        assert w.window.oos_sessions == 126 and len(w.oos_returns) == 126
        direct = run_backtest(
            SmaCrossover(SmaCrossoverParams(symbol="QQQ", **w.params)),
            market,
            start=w.window.oos_start,
            end=w.window.oos_end,
        )
        chained.extend(daily_returns([s.equity for s in direct.snapshots], Decimal("10000")).tolist())
    equity = [10000.0]
    for r in chained:
        equity.append(equity[-1] * (1 + r))
    assert list(wf.equity) == pytest.approx(equity[1:], rel=1e-9)
    assert wf.dates[0] == wf.windows[0].window.oos_start and wf.dates[-1] == wf.windows[-1].window.oos_end
    assert wf.baseline_equity[0] == pytest.approx(10000.0)  # buy-and-hold starts on the first OOS day
    for w in wf.windows:
        is_cagr = (w.is_metrics or {}).get("cagr")
        oos_cagr = (w.oos_metrics or {}).get("cagr")
        if is_cagr is not None and is_cagr > 0 and oos_cagr is not None:
            assert w.efficiency == pytest.approx(oos_cagr / is_cagr)
    assert {s.name for s in wf.stability} == {"fast", "slow"}


def test_windows_that_do_not_fit_fail_before_any_work(db_engine: Engine) -> None:
    cfg = _config(walk_forward={"unit": "sessions", "in_sample": 700, "out_of_sample": 126})
    with LocalExecutor(1) as ex, pytest.raises(ConfigError, match="do not fit"):
        run_walk_forward(cfg, loader=LOADER, executor=ex, engine=db_engine)
    with Session(db_engine) as s:
        assert s.scalar(select(func.count()).select_from(ResearchRun)) == 0
