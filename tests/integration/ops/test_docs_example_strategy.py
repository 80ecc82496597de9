"""The example strategy of docs/writing-a-strategy.md, backtested on the shared QQQ/TLT data.

Its regime is recomputed independently with pandas (close vs. rolling mean) and must match the
journal date for date; the holdings must follow the regime, and the ledger must balance.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from jutsu.core.costs import CostModel
from jutsu.core.engine import run_backtest
from jutsu.core.market import MarketData
from jutsu.data.sources.csv_source import read_price_csv

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "trend_switch.py"
START, END = dt.date(2016, 1, 4), dt.date(2023, 12, 29)


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_example_trend_switch", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_example_strategy_backtests_and_follows_its_rule(shared_prices: Path) -> None:
    example = _load_example()
    strategy = example.TrendSwitch(example.TrendSwitchParams(window=150))
    frames = {symbol: read_price_csv(shared_prices / f"{symbol}.csv")[1] for symbol in ("QQQ", "TLT")}
    result = run_backtest(
        strategy,
        MarketData.from_frames(frames),
        start=START,
        end=END,
        initial_capital=Decimal(10000),
        costs=CostModel(),
    )
    assert result.snapshots
    assert result.snapshots[0].date >= START
    assert result.snapshots[-1].date <= END

    qqq = frames["QQQ"]
    close = qqq["close"].astype(float)
    expected = (close > close.rolling(150).mean()).set_axis(pd.to_datetime(qqq["date"]).dt.date)
    journal = {d.date: d.journal["regime"] for d in result.decisions}
    mismatches = [day for day, regime in journal.items() if (regime == "RISK_ON") != bool(expected[day])]
    assert mismatches == []
    assert {"RISK_ON", "RISK_OFF"} <= set(journal.values())  # both regimes occur over 2016-2023

    switches = sum(
        1
        for a, b in zip(result.decisions, result.decisions[1:], strict=False)
        if a.journal["regime"] != b.journal["regime"]
    )
    assert len(result.fills) >= switches  # every regime change trades
    for snap in result.snapshots:
        invested = sum((Decimal(q) * snap.prices[s] for s, q in snap.positions.items()), Decimal(0))
        assert snap.equity == snap.cash + invested
        held = {s for s, q in snap.positions.items() if q}
        assert held <= {"QQQ", "TLT"}
        assert len(held) <= 1
        want = "QQQ" if journal[snap.date] == "RISK_ON" else "TLT"
        assert held in (set(), {want})


def test_example_rejects_bad_parameters() -> None:
    example = _load_example()
    with pytest.raises(ValueError, match="different symbols"):
        example.TrendSwitchParams(risk="QQQ", safe="QQQ")
    with pytest.raises(ValueError, match="window"):
        example.TrendSwitchParams(window=1)
