"""`jutsu backtest` end to end on the shared price files (--data-dir)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import empyrical
import numpy as np
import pandas as pd
import pytest
from backtest_cli_helpers import PRICES, read_csv, run_cli

REGIME_COLUMNS = [
    "cell",
    "trend_state",
    "vol_state",
    "t_norm",
    "sma_fast",
    "sma_slow",
    "z_score",
    "vol_crush",
    "bond_trend",
]
OUTPUTS = {"summary.json", "equity.csv", "trades.csv", "decisions.csv", "report.html"}


@pytest.fixture(autouse=True)
def _no_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A database URL pointing at a file that does not exist (nothing may create it)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'absent' / 'jutsu.db'}")


def _independent_baseline(start: str, end: str, capital: float) -> dict[str, float]:
    """QQQ buy and hold straight from the CSV with pandas + empyrical (no platform code)."""
    df = pd.read_csv(PRICES / "QQQ.csv", parse_dates=["date"])
    df = df[(df["date"] >= start) & (df["date"] <= end)]
    values = capital / df["close"].iloc[0] * df["close"].to_numpy()
    # first return against the capital (DECISIONS.md §4): the first value equals it, so 0
    r = pd.Series(np.concatenate(([values[0] / capital - 1], values[1:] / values[:-1] - 1)))
    return {
        "final_value": float(values[-1]),
        "total_return": float(values[-1] / capital - 1),
        "cagr": float(empyrical.annual_return(r)),
        "volatility": float(empyrical.annual_volatility(r)),
        "sharpe": float(empyrical.sharpe_ratio(r)),
        "sortino": float(empyrical.sortino_ratio(r)),
        "max_drawdown": float(empyrical.max_drawdown(r)),
        "calmar": float(empyrical.calmar_ratio(r)),
    }


def _check_common(out: Path, capital: Decimal) -> dict[str, object]:
    assert {p.name for p in out.iterdir()} == OUTPUTS
    summary = json.loads((out / "summary.json").read_text())
    for key in ("strategy", "baseline", "params", "start", "end", "data_fingerprint", "engine_version"):
        assert key in summary
    assert len(summary["data_fingerprint"]) == 64
    for key in ("total_return", "cagr", "sharpe", "sortino", "max_drawdown", "calmar", "volatility"):
        assert key in summary["strategy"] and key in summary["baseline"]
    assert "beta" in summary["strategy"] and "alpha" in summary["strategy"]

    header, equity = read_csv(out / "equity.csv")
    assert header == ["date", "equity", "cash", "baseline_equity", "drawdown"]
    assert equity[0]["date"] >= summary["start"] and equity[-1]["date"] <= summary["end"]
    assert summary["strategy"]["final_value"] == pytest.approx(float(equity[-1]["equity"]), abs=1e-9)
    assert summary["strategy"]["max_drawdown"] == pytest.approx(min(float(r["drawdown"]) for r in equity))

    header, trades = read_csv(out / "trades.csv")
    assert header == ["date", "symbol", "side", "quantity", "price", "commission", "reason"]
    assert trades, "the run should trade"
    cash = capital
    shares: dict[str, int] = {}
    for t in trades:
        qty, amount = int(t["quantity"]), int(t["quantity"]) * Decimal(t["price"])
        if t["side"] == "BUY":
            cash -= amount + Decimal(t["commission"])
            shares[t["symbol"]] = shares.get(t["symbol"], 0) + qty
        else:
            cash += amount - Decimal(t["commission"])
            shares[t["symbol"]] -= qty
    assert cash == Decimal(equity[-1]["cash"])  # exact replay, no rounding anywhere
    assert all(q >= 0 for q in shares.values())

    html = (out / "report.html").read_text()
    assert "http://" not in html and "https://" not in html
    assert html.count("<svg") >= 4
    return summary


def test_sma_crossover_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "sma"
    start, end = "2012-01-03", "2025-06-27"
    result = run_cli(
        "sma_crossover", "--start", start, "--end", end, "--data-dir", str(PRICES), "--out", str(out)
    )
    assert result.exit_code == 0, result.stderr
    assert "sharpe" in result.stdout and "QQQ" in result.stdout
    summary = _check_common(out, Decimal("10000"))
    assert summary["start"] == start and summary["end"] == end

    expected = _independent_baseline(start, end, 10000.0)
    for key, value in expected.items():
        assert summary["baseline"][key] == pytest.approx(value, rel=1e-9, abs=1e-12), key

    header, decisions = read_csv(out / "decisions.csv")
    assert header[0] == "date" and header[-1] == "w_QQQ"
    _, equity = read_csv(out / "equity.csv")
    assert [d["date"] for d in decisions] == [e["date"] for e in equity]
    assert "Regime cell timeline" not in (out / "report.html").read_text()


def test_sma_crossover_costs_and_params_flow_through(tmp_path: Path) -> None:
    out = tmp_path / "sma"
    result = run_cli(
        "sma_crossover", "--start", "2015-01-02", "--end", "2016-12-30", "--data-dir", str(PRICES),
        "--param", "fast=10", "--param", "slow=30", "--capital", "25000",
        "--commission-per-share", "0", "--slippage", "0", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    summary = _check_common(out, Decimal("25000"))
    assert summary["params"]["fast"] == 10 and summary["params"]["slow"] == 30
    _, trades = read_csv(out / "trades.csv")
    assert all(Decimal(t["commission"]) == 0 for t in trades)
    # zero slippage: every fill is at that day's QQQ close
    closes = pd.read_csv(PRICES / "QQQ.csv", dtype=str).set_index("date")["close"]
    assert all(Decimal(t["price"]) == Decimal(closes[t["date"]]) for t in trades)


def test_v3_5b_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "v3_5b"
    result = run_cli(
        "v3_5b", "--start", "2019-01-02", "--end", "2025-06-27", "--data-dir", str(PRICES), "--out", str(out)
    )
    assert result.exit_code == 0, result.stderr
    _check_common(out, Decimal("10000"))
    header, decisions = read_csv(out / "decisions.csv")
    assert header[: 1 + len(REGIME_COLUMNS)] == ["date", *REGIME_COLUMNS]
    weights = [h for h in header if h.startswith("w_")]
    assert {"w_QQQ", "w_TQQQ"} <= set(weights)
    assert header == ["date", *header[1 : len(header) - len(weights)], *weights]
    assert {d["cell"] for d in decisions} <= {"1", "2", "3", "4", "5", "6"}
    assert dt.date.fromisoformat(decisions[0]["date"]) >= dt.date(2019, 1, 2)
    assert "Regime cell timeline" in (out / "report.html").read_text()


def test_data_dir_reads_only_the_needed_symbols(tmp_path: Path) -> None:
    data = tmp_path / "prices"
    data.mkdir()
    (data / "QQQ.csv").symlink_to(PRICES / "QQQ.csv")
    (data / "TQQQ.csv").write_text("this is not a price file\n")  # never opened for sma_crossover
    out = tmp_path / "out"
    args = ["sma_crossover", "--start", "2015-01-02", "--end", "2015-12-31", "--data-dir", str(data)]
    result = run_cli(*args, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert (out / "summary.json").is_file()
