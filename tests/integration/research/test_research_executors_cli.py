"""Executors (local pool vs a real Dask LocalCluster) and the ``jutsu grid`` / ``jutsu wfo`` CLI."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from jutsu.backtest.loaders import csv_dir_loader
from jutsu.cli.main import app
from jutsu.data.database import create_db_engine
from jutsu.data.migrate import upgrade
from jutsu.errors import ConfigError
from jutsu.research.config import parse_research_config
from jutsu.research.executors import DaskExecutor, LocalExecutor, parse_executor
from jutsu.research.grid import run_grid
from shared_data import PRICES

LOADER = csv_dir_loader(PRICES)
CONFIG: dict[str, Any] = {
    "strategy": "sma_crossover",
    "start": "2019-01-01",
    "end": "2020-12-31",
    "parameters": {"fast": [5, 10, 20], "slow": [30, 60]},
    "fixed": {"symbol": "QQQ"},
}


def _engine(path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def test_local_pool_and_dask_local_cluster_give_identical_results(tmp_path: Path) -> None:
    cfg = parse_research_config(CONFIG)
    tables = {}
    for name, executor in (
        ("local", LocalExecutor(2)),
        ("dask", DaskExecutor(None, workers=2)),  # LocalCluster(processes=True, n_workers=2, threads=1)
    ):
        engine = _engine(tmp_path / f"{name}.db")
        try:
            with executor:
                result = run_grid(cfg, loader=LOADER, executor=executor, engine=engine)
        finally:
            engine.dispose()
        assert result.evaluated == 6
        tables[name] = [(r.index, r.key, dict(r.params), r.metrics, r.status) for r in result.rows]
    assert tables["local"] == tables["dask"]


def test_unreachable_dask_scheduler_is_a_quick_clear_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    executor = parse_executor(f"dask://127.0.0.1:{port}")
    t0 = time.monotonic()
    with pytest.raises(ConfigError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"):
        executor.__enter__()
    assert time.monotonic() - t0 < 15


@pytest.mark.parametrize("spec", ["", "remote", "local:0", "local:x", "dask://nohost", "dask:local:-1"])
def test_bad_executor_specs(spec: str) -> None:
    with pytest.raises(ConfigError, match="--executor"):
        parse_executor(spec)


def _write_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "grid.yaml"
    path.write_text(
        "strategy: sma_crossover\nstart: 2019-01-01\nend: 2020-12-31\n"
        "parameters:\n  fast: [5, 10]\n  slow: {start: 30, stop: 60, step: 30}\n"
        "fixed: {symbol: QQQ}\n"
        "walk_forward: {unit: sessions, in_sample: 200, out_of_sample: 100}\n" + extra
    )
    return path


def test_cli_grid_and_wfo_write_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "jutsu.db"
    _engine(db).dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    cfg = _write_config(tmp_path)
    runner = CliRunner()
    out = tmp_path / "grid"
    res = runner.invoke(
        app, ["grid", str(cfg), "--data-dir", str(PRICES), "--out", str(out), "--executor", "local:2"]
    )
    assert res.exit_code == 0, res.output
    assert {p.name for p in out.iterdir()} == {"results.csv", "summary.json", "report.html"}
    html = (out / "report.html").read_text()
    assert "<svg" in html and "Heat map: fast × slow" in html and "<script" not in html
    assert len((out / "results.csv").read_text().splitlines()) == 5  # header + 4 combinations
    again = runner.invoke(app, ["grid", str(cfg), "--data-dir", str(PRICES), "--out", str(out)])
    assert again.exit_code == 0 and "(0 computed now)" in again.output

    wfo_out = tmp_path / "wfo"
    res = runner.invoke(app, ["wfo", str(cfg), "--data-dir", str(PRICES), "--out", str(wfo_out)])
    assert res.exit_code == 0, res.output
    assert {p.name for p in wfo_out.iterdir()} == {
        "windows.csv",
        "oos_equity.csv",
        "summary.json",
        "report.html",
    }
    assert "Parameter stability" in (wfo_out / "report.html").read_text()


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("bogus: 1\n", "unknown key 'bogus'"),
        ("top_n: 0\n", "top_n"),
    ],
)
def test_cli_bad_config_is_one_error_line(tmp_path: Path, extra: str, needle: str) -> None:
    cfg = _write_config(tmp_path, extra)
    res = CliRunner().invoke(app, ["grid", str(cfg), "--data-dir", str(PRICES), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0]
    assert "Traceback" not in res.output


def test_cli_typo_in_parameter_name(tmp_path: Path) -> None:
    cfg = tmp_path / "typo.yaml"
    cfg.write_text("strategy: sma_crossover\nstart: 2019-01-01\nend: 2020-12-31\nparameters: {fsat: [5]}\n")
    res = CliRunner().invoke(app, ["grid", str(cfg), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1
    assert "unknown parameter 'fsat'; valid parameters: fast, slow, symbol" in res.output
