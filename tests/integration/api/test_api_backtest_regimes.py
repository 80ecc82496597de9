"""Backtest equity points carry the day's regime cell, as the run's decisions journal
(``decisions.csv``, rendered by the reporting module from an independent engine run) says."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Api, start_api
from sqlalchemy import Engine

from jutsu.backtest.loaders import csv_dir_loader
from shared_data import PRICES

START, END = "2024-01-02", "2024-06-28"


@pytest.fixture(name="api")
def api_with_prices(db_engine: Engine, tmp_path: Path) -> Any:
    yield from start_api(db_engine, tmp_path, {"backtest_loader": csv_dir_loader(PRICES)})


def _run(api: Api, strategy: str) -> list[dict[str, Any]]:
    body = {"strategy_name": strategy, "start_date": START, "end_date": END, "initial_capital": 10000}
    run_id = api.post("/api/v1/backtest/run", json=body).json()["backtest_id"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status = api.get(f"/api/v1/backtest/{run_id}").json()
        if status["status"] in ("completed", "failed"):
            break
        time.sleep(0.1)
    assert status["status"] == "completed", status
    points: list[dict[str, Any]] = api.get(f"/api/v1/backtest/{run_id}/equity", headers=api.viewer).json()
    return points


def _journal_cells(strategy: str) -> dict[str, str]:
    from jutsu.backtest.models import BacktestRequest
    from jutsu.backtest.runner import run_backtest_job
    from jutsu.reporting.files import render_decisions_csv

    start, end = dt.date.fromisoformat(START), dt.date.fromisoformat(END)
    request = BacktestRequest(strategy_id=strategy, start=start, end=end)
    outcome = run_backtest_job(request, load_frames=csv_dir_loader(PRICES))
    rows = csv.DictReader(io.StringIO(render_decisions_csv(outcome)))
    return {r["date"]: r.get("cell", "") for r in rows}


def test_equity_points_carry_the_journal_cell(api: Api) -> None:
    points = _run(api, "v3_5b")
    journal = _journal_cells("v3_5b")
    assert len(points) == len(journal) > 100
    for p in points:
        assert str(p["strategy_cell"]) == journal[p["date"]]
        assert p["strategy_cell"] in range(1, 7)
        assert p["trend_state"] in ("BullStrong", "Sideways", "BearStrong")
        assert p["vol_state"] in ("Low", "High")
    assert len({p["strategy_cell"] for p in points}) >= 2  # a timeline, not a constant


def test_strategies_without_regimes_have_no_cells(api: Api) -> None:
    points = _run(api, "buy_and_hold")
    assert points and all(p["strategy_cell"] is None and p["trend_state"] is None for p in points)
