"""Kill the scheduler process in the middle of a trading run, restart it: the session still
trades exactly once (one ``execution_runs`` row, one order, nothing sent twice)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, select

from jutsu.data.models import ExecutionRun, JobRun, LiveTrade
from jutsu.data.repositories.live_engine_state import set_engine_state
from jutsu.data.repositories.market_data import import_bars
from jutsu.data.sources.csv_source import read_price_csv

ROOT = Path(__file__).resolve().parents[3]
PROC = Path(__file__).with_name("trading_proc.py")


def _registry(tmp_path: Path) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(
        "version: '1.0'\n"
        "strategies:\n"
        "  buy_and_hold:\n"
        "    display_name: Buy and hold\n"
        "    strategy_class: buy_and_hold\n"
        f"    config_file: {ROOT / 'config/strategies/buy_and_hold.yaml'}\n"
        "    is_primary: true\n"
        "    is_active: true\n"
        "    mode: paper\n"
        "    baseline_symbol: QQQ\n"
        "execution_order: [buy_and_hold]\n",
        encoding="utf-8",
    )
    return path


def _run(url: str, registry: Path, phase: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, str(PROC), url, str(registry), phase],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


def test_kill_mid_run_then_restart_trades_the_session_once(
    db_url: str, db_engine: Engine, tmp_path: Path, shared_prices: Path
) -> None:
    _, frame = read_price_csv(shared_prices / "QQQ.csv", "QQQ")
    import_bars(db_engine, "QQQ", frame[frame["date"] >= "2025-06-01"].reset_index(drop=True), "csv")
    set_engine_state(db_engine, "running")
    registry = _registry(tmp_path)

    crashed = _run(db_url, registry, "crash")
    assert crashed.returncode == -9, crashed.stderr[-2000:]
    with db_engine.connect() as conn:
        runs = conn.execute(select(ExecutionRun)).all()
        trades = conn.execute(select(LiveTrade)).all()
    assert [r.status for r in runs] == ["running"]  # died mid-run
    assert len(trades) == 1

    resumed = _run(db_url, registry, "resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert json.loads(resumed.stdout.strip().splitlines()[-1])["status"] == "completed"

    again = _run(db_url, registry, "again")
    assert again.returncode == 0, again.stderr[-2000:]

    with db_engine.connect() as conn:
        runs = conn.execute(select(ExecutionRun)).all()
        trades = conn.execute(select(LiveTrade)).all()
        job_runs = conn.execute(select(JobRun).order_by(JobRun.id)).all()
    assert len(runs) == 1 and runs[0].status == "success"
    assert runs[0].trigger == "scheduled"
    assert len(trades) == 1
    assert trades[0].action == "BUY" and trades[0].status == "filled"
    assert trades[0].execution_id == runs[0].execution_id
    # the crashed job run stays "running" forever (its process died); resume and again completed
    assert [j.status for j in job_runs] == ["running", "completed", "completed"]
    again_result = json.loads(again.stdout.strip().splitlines()[-1])
    assert again_result["status"] == "completed" and "skipped" in again_result["message"]
