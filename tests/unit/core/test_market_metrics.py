"""Market data arrays and fingerprint; small exact metric cases; the strategy catalog."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from jutsu.core.baseline import buy_and_hold_equity, forward_fill
from jutsu.core.market import MarketData
from jutsu.core.metrics import (
    METRIC_KEYS,
    compute_metrics,
    daily_returns,
    drawdown_series,
    monthly_returns_table,
    rolling_sharpe,
    round_trips,
)
from jutsu.core.result import Fill
from jutsu.errors import BacktestError, ConfigError, DataError
from jutsu.strategies.catalog import STRATEGY_CLASSES, get_strategy_class

D = Decimal


def frame(dates: list[str], closes: list[str]) -> pd.DataFrame:
    c = [D(x) for x in closes]
    return pd.DataFrame(
        {"date": pd.to_datetime(dates), "open": c, "high": c, "low": c, "close": c, "volume": [1] * len(c)}
    )


A = frame(["2020-01-02", "2020-01-03", "2020-01-07"], ["1.10", "1.2", "1.3"])
B = frame(["2020-01-03", "2020-01-06"], ["5", "6"])


def test_union_timeline_and_counts() -> None:
    m = MarketData.from_frames({"A": A, "B": B})
    assert m.dates == (dt.date(2020, 1, 2), dt.date(2020, 1, 3), dt.date(2020, 1, 6), dt.date(2020, 1, 7))
    assert m.counts["B"] == [0, 1, 2, 2] and m.has_bar["B"] == [False, True, True, False]
    assert m.series["A"].close_dec == (D("1.10"), D("1.2"), D("1.3"))
    assert not m.series["A"].close.flags.writeable


def test_fingerprint_exact_and_order_independent() -> None:
    fp = MarketData.from_frames({"A": A, "B": B}).fingerprint()
    assert fp == MarketData.from_frames({"B": B, "A": A}).fingerprint()
    changed = A.copy()
    changed.loc[0, "close"] = D("1.1")  # same float, different exact text
    assert MarketData.from_frames({"A": changed, "B": B}).fingerprint() != fp
    sub = MarketData.from_frames({"A": A, "B": B}).select(["A"])
    assert sub.fingerprint() == MarketData.from_frames({"A": A}).fingerprint()


def test_bad_frames() -> None:
    with pytest.raises(DataError, match="missing column"):
        MarketData.from_frames({"A": A.drop(columns=["volume"])})
    with pytest.raises(DataError, match="ascending"):
        MarketData.from_frames({"A": A.iloc[::-1]})
    with pytest.raises(DataError, match="no market data for C"):
        MarketData.from_frames({"A": A}).select(["C"])


def test_catalog() -> None:
    assert {"buy_and_hold", "sma_crossover"} <= set(STRATEGY_CLASSES)
    for sid, cls in STRATEGY_CLASSES.items():
        assert cls.strategy_id == sid and get_strategy_class(sid) is cls
    with pytest.raises(ConfigError, match=r"known strategies: .*buy_and_hold"):
        get_strategy_class("nope")


def test_sma_params_validated() -> None:
    cls = get_strategy_class("sma_crossover")
    with pytest.raises(ValueError, match="greater than fast"):
        cls.Params(fast=50, slow=50)
    with pytest.raises(ValueError):
        cls.Params(fast=0)
    with pytest.raises(ValueError):
        cls.Params(unknown=1)


def fill(day: int, side: str, qty: int, price: str, commission: str) -> Fill:
    return Fill(dt.date(2020, 1, day), "X", side, qty, D(price), D(commission))  # type: ignore[arg-type]


def test_round_trips_average_cost_with_commissions() -> None:
    fills = [
        fill(2, "BUY", 10, "10", "1"),
        fill(3, "BUY", 10, "12", "1"),  # avg 11, entry commission pool 2
        fill(6, "SELL", 5, "13", "0.5"),  # (13−11)·5 − 2·5/20 − 0.5 = 9
        fill(7, "SELL", 15, "10", "1.5"),  # (10−11)·15 − 1.5 − 1.5 = −18
    ]
    trips = round_trips(fills)
    assert [t.pnl for t in trips] == [D("9"), D("-18")]
    m = compute_metrics(
        [D(100), D(101), D(99), D(100)], [dt.date(2020, 1, d) for d in (2, 3, 6, 7)], 100, fills
    )
    assert m["closed_trades"] == 2 and m["fills"] == 4
    assert m["win_rate"] == 0.5 and m["avg_win"] == 9 and m["avg_loss"] == -18
    assert m["profit_factor"] == 0.5
    assert m["exposure"] == 0.75  # flat after the last sell on the 7th


def test_drawdown_duration_and_series() -> None:
    eq = [110, 100, 105, 111, 90, 95]
    dd = drawdown_series(eq, 100)
    assert dd[0] == 0 and dd[1] == pytest.approx(100 / 110 - 1) and dd[3] == 0
    dates = [dt.date(2020, 1, d) for d in range(1, 7)]
    m = compute_metrics(eq, dates, 100)
    # peak at 110 (day 1) regained on day 4: 3 days; peak 111 (day 4) open to day 6: 2 days
    assert m["max_drawdown_duration"] == 3
    assert m["max_drawdown"] == pytest.approx(90 / 111 - 1)
    assert m["total_return"] == pytest.approx(-0.05) and m["final_value"] == 95


def test_undefined_metrics_are_none() -> None:
    dates = [dt.date(2020, 1, d) for d in (2, 3, 6)]
    m = compute_metrics([100, 100, 100], dates, 100)
    assert set(m) == set(METRIC_KEYS)
    assert m["sharpe"] is None and m["sortino"] is None and m["calmar"] is None
    assert m["volatility"] == 0 and m["max_drawdown"] == 0 and m["win_rate"] is None
    assert compute_metrics([], [], 100)["final_value"] is None
    with pytest.raises(ValueError, match="points"):
        compute_metrics([1, 2], dates, 100)


def test_rolling_sharpe_and_monthly_table() -> None:
    r = np.array([0.01, -0.02, 0.03, 0.01])
    rs = rolling_sharpe(r, window=3)
    assert np.isnan(rs[:2]).all()
    assert rs[2] == pytest.approx(r[:3].mean() / r[:3].std(ddof=1) * np.sqrt(252))
    dates = [dt.date(2020, 1, 30), dt.date(2020, 1, 31), dt.date(2020, 2, 3), dt.date(2021, 3, 1)]
    t = monthly_returns_table(r, dates)
    assert list(t.columns) == list(range(1, 13)) and list(t.index) == [2020, 2021]
    assert t.loc[2020, 1] == pytest.approx(1.01 * 0.98 - 1) and t.loc[2021, 3] == pytest.approx(0.01)
    assert np.isnan(t.loc[2021, 1])
    assert daily_returns([D(110)], D(100))[0] == pytest.approx(0.1)


def test_baseline() -> None:
    dates = [dt.date(2020, 1, d) for d in (2, 3, 6, 7)]
    closes = [D(50), D(40), D(60), D(70)]
    bd, bv = buy_and_hold_equity(dates, closes, D(1000), dt.date(2020, 1, 3), dt.date(2020, 1, 6))
    assert bd == dates[1:3] and bv == [D(1000), D(1500)]
    with pytest.raises(BacktestError, match="at least 2"):
        buy_and_hold_equity(dates, closes, D(1000), dt.date(2020, 1, 7), dt.date(2020, 1, 9))
    assert forward_fill(bd, bv, dates) == [None, D(1000), D(1500), D(1500)]
