"""No look-ahead, for every registered strategy: what happens after date t cannot change
any decision, fill or snapshot dated <= t (backtest-semantics §3.1).

Each strategy runs with its default parameters on small synthetic data for exactly the
symbols it asks for; the data after a random cut date is either perturbed or removed
(for all symbols or just one).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jutsu.core.engine import run_backtest, warmup_sessions
from jutsu.core.market import MarketData
from jutsu.core.result import BacktestResult
from jutsu.strategies.base import Strategy
from jutsu.strategies.catalog import STRATEGY_CLASSES

TRADING_DAYS = 60


def _frame(rng: np.random.Generator, dates: pd.DatetimeIndex, drift: float) -> pd.DataFrame:
    n = len(dates)
    close = 50.0 * np.exp(np.cumsum(rng.normal(drift, 0.02, n)))
    open_ = close * np.exp(rng.normal(0, 0.005, n))
    high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.01, n))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.01, n))

    def dec(a: np.ndarray) -> list[Decimal]:
        return [Decimal(f"{x:.4f}") for x in a]

    return pd.DataFrame(
        {
            "date": dates,
            "open": dec(open_),
            "high": dec(high),
            "low": dec(low),
            "close": dec(close),
            "volume": rng.integers(1_000, 1_000_000, n),
        }
    )


def _make(strategy_id: str) -> Strategy[Any]:
    cls = STRATEGY_CLASSES[strategy_id]
    return cls(cls.Params())


def _comparable(result: BacktestResult, cut: dt.date) -> tuple[list[Any], list[Any], list[Any]]:
    def clean(v: object) -> object:
        return "nan" if isinstance(v, float) and math.isnan(v) else v

    decisions = [
        (d.date, dict(d.weights), d.traded, {k: clean(v) for k, v in d.journal.items()})
        for d in result.decisions
        if d.date <= cut
    ]
    fills = [f for f in result.fills if f.date <= cut]
    snaps = [s for s in result.snapshots if s.date <= cut]
    return decisions, fills, snaps


def _perturb(frame: pd.DataFrame, cut: pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    out = frame.copy()
    later = out["date"] > cut
    factor = [Decimal(f"{x:.4f}") for x in np.exp(rng.normal(0, 0.2, int(later.sum())))]
    for col in ("open", "high", "low", "close"):
        out.loc[later, col] = [v * f for v, f in zip(out.loc[later, col], factor, strict=True)]
    return out


@pytest.mark.parametrize("strategy_id", sorted(STRATEGY_CLASSES))
@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    cut_offset=st.integers(0, TRADING_DAYS - 2),
    mode=st.sampled_from(["perturb", "truncate_all", "truncate_one"]),
)
def test_future_bars_do_not_change_the_past(strategy_id: str, seed: int, cut_offset: int, mode: str) -> None:
    rng = np.random.default_rng(seed)
    strategy = _make(strategy_id)
    symbols = strategy.symbols()
    warm = warmup_sessions(strategy)
    dates = pd.bdate_range("2015-01-02", periods=warm + TRADING_DAYS)
    # alternate up and down drifts so trend strategies actually trade
    frames = {s: _frame(rng, dates, 0.002 if i % 2 == 0 else -0.001) for i, s in enumerate(symbols)}
    start, end = dates[warm].date(), dates[-1].date()
    cut_ts = dates[warm + cut_offset]
    cut = cut_ts.date()

    if mode == "perturb":
        changed = {s: _perturb(f, cut_ts, rng) for s, f in frames.items()}
    elif mode == "truncate_all":
        changed = {s: f[f["date"] <= cut_ts].reset_index(drop=True) for s, f in frames.items()}
    else:
        victim = symbols[int(rng.integers(len(symbols)))]
        changed = dict(frames)
        changed[victim] = frames[victim][frames[victim]["date"] <= cut_ts].reset_index(drop=True)

    full = run_backtest(strategy, MarketData.from_frames(frames), start=start, end=end)
    other = run_backtest(_make(strategy_id), MarketData.from_frames(changed), start=start, end=end)

    a, b = _comparable(full, cut), _comparable(other, cut)
    assert a[0] == b[0], "decisions differ"
    assert a[1] == b[1], "fills differ"
    assert a[2] == b[2], "snapshots differ"
    assert len(a[0]) == cut_offset + 1
