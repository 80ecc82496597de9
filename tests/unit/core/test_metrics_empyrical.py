"""Every metric empyrical defines equals empyrical-reloaded to 1e-9 on real returns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import empyrical as ep
import numpy as np
import pandas as pd
import pytest

from jutsu.core.baseline import buy_and_hold_equity
from jutsu.core.metrics import compute_metrics, daily_returns
from jutsu.data.sources.csv_source import read_price_csv

START, END = dt.date(2010, 1, 4), dt.date(2025, 12, 12)


def _closes(prices: Path, symbol: str) -> pd.Series:
    _, frame = read_price_csv(prices / f"{symbol}.csv")
    return pd.Series(list(frame["close"]), index=frame["date"].dt.date)


@pytest.fixture(scope="module")
def curves(shared_prices: Path) -> dict[str, object]:
    qqq, spy = _closes(shared_prices, "QQQ"), _closes(shared_prices, "SPY")
    common = qqq.index.intersection(spy.index)
    qqq, spy = qqq.loc[common], spy.loc[common]
    prior = [d for d in common if d < START][-1]
    window = [d for d in common if START <= d <= END]
    # equity = closes scaled so the first return is the real first-day return vs K
    return {
        "dates": window,
        "qqq": [qqq[d] for d in window],
        "spy": [spy[d] for d in window],
        "k_qqq": qqq[prior],
        "k_spy": spy[prior],
    }


@pytest.mark.parametrize("risk_free", [0.0, 0.03])
@pytest.mark.parametrize(("symbol", "bench"), [("qqq", "spy"), ("spy", "qqq")])
def test_metrics_equal_empyrical(
    curves: dict[str, object], symbol: str, bench: str, risk_free: float
) -> None:
    equity, k = curves[symbol], curves[f"k_{symbol}"]
    bench_eq, bench_k = curves[bench], curves[f"k_{bench}"]
    assert isinstance(equity, list) and isinstance(bench_eq, list)
    # the benchmark is passed as a value series starting from the same capital
    scale = k / bench_k  # type: ignore[operator]
    bench_scaled = [v * scale for v in bench_eq]
    m = compute_metrics(equity, curves["dates"], k, benchmark_equity=bench_scaled, risk_free=risk_free)  # type: ignore[arg-type]

    r = np.array([float(v) for v in equity]) / np.array([float(k), *[float(v) for v in equity[:-1]]]) - 1  # type: ignore[arg-type]
    b = daily_returns(bench_eq, bench_k)  # type: ignore[arg-type]
    rf = risk_free / 252
    alpha, beta = ep.alpha_beta(r, b, risk_free=rf)
    expected = {
        "cagr": ep.annual_return(r),
        "volatility": ep.annual_volatility(r),
        "sharpe": ep.sharpe_ratio(r, risk_free=rf),
        "sortino": ep.sortino_ratio(r, required_return=rf),
        "max_drawdown": ep.max_drawdown(r),
        "calmar": ep.calmar_ratio(r),
        "omega": ep.omega_ratio(r, risk_free=rf),
        "tail_ratio": ep.tail_ratio(r),
        "var_95": ep.value_at_risk(r, cutoff=0.05),
        "cvar_95": ep.conditional_value_at_risk(r, cutoff=0.05),
        "stability": ep.stability_of_timeseries(r),
        "alpha": alpha,
        "beta": beta,
        "total_return": ep.cum_returns_final(r),
    }
    for key, value in expected.items():
        assert m[key] == pytest.approx(value, rel=1e-9, abs=0), key


def test_baseline_reproduces_spec_section_10(shared_prices: Path) -> None:
    """Spec §10: 10 000 in QQQ 2010-01-04 → 2025-12-12 ends at 132 188.71, max drawdown −35.617 %."""
    _, frame = read_price_csv(shared_prices / "QQQ.csv")
    dates, values = buy_and_hold_equity(
        list(frame["date"].dt.date), list(frame["close"]), Decimal(10000), START, END
    )
    assert dates[0] == START and dates[-1] == END
    assert values[-1].quantize(Decimal("0.01")) == Decimal("132188.71")
    m = compute_metrics(values, dates, Decimal(10000))
    assert round(m["max_drawdown"] * 100, 3) == -35.617  # type: ignore[operator]
    assert m["total_return"] == pytest.approx(12.2188711, abs=1e-6)
