"""Causality: an indicator's value at i never changes when data after i changes or is removed.

This is the property ``BarContext.indicator`` relies on to compute an indicator once over a
whole run and cut it at each date without look-ahead.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jutsu import indicators as ind

Series = dict[str, np.ndarray]


def _bars(values: list[float], scale: list[float]) -> Series:
    close = np.array(values)
    spread = np.array(scale)
    return {
        "close": close,
        "high": close * (1 + spread),
        "low": close * (1 - spread),
        "volume": 1e6 * (1 + 10 * spread),
    }


INDICATORS: dict[str, Callable[[Series], np.ndarray]] = {
    "sma": lambda b: ind.sma(b["close"], 5),
    "wma": lambda b: ind.wma(b["close"], 4),
    "ema": lambda b: ind.ema(b["close"], 5),
    "wilder": lambda b: ind.wilder(b["close"], 5),
    "rsi": lambda b: ind.rsi(b["close"], 5),
    "macd": lambda b: ind.macd_histogram(b["close"], 3, 6, 3),
    "atr": lambda b: ind.atr(b["high"], b["low"], b["close"], 4),
    "adx": lambda b: ind.adx(b["high"], b["low"], b["close"], 3),
    "bollinger": lambda b: ind.bollinger_upper(b["close"], 5, 2.0),
    "realized_vol": lambda b: ind.realized_volatility(b["close"], 4),
    "vol_zscore": lambda b: ind.volatility_zscore(b["close"], 3, 5),
    "vol_change": lambda b: ind.realized_volatility_change(b["close"], 3, 2),
    "zscore": lambda b: ind.rolling_zscore(b["close"], 5),
    "kalman": lambda b: ind.kalman_trend_strength(
        b["close"],
        b["volume"],
        measurement_noise=50.0,
        process_noise_1=0.01,
        process_noise_2=0.01,
        osc_smoothness=3,
        strength_smoothness=4,
        symmetric_volume_adjustment=True,
        t_max=50.0,
    ),
}

prices = st.floats(min_value=1.0, max_value=1000.0, allow_nan=False, allow_infinity=False)
spreads = st.floats(min_value=0.0, max_value=0.05, allow_nan=False)


@st.composite
def series_and_cut(draw: st.DrawFn) -> tuple[Series, Series, int]:
    n = draw(st.integers(min_value=2, max_value=40))
    vals = draw(st.lists(prices, min_size=n, max_size=n))
    spr = draw(st.lists(spreads, min_size=n, max_size=n))
    cut = draw(st.integers(min_value=1, max_value=n))
    tail_n = n - cut
    new_vals = draw(st.lists(prices, min_size=tail_n, max_size=tail_n))
    new_spr = draw(st.lists(spreads, min_size=tail_n, max_size=tail_n))
    changed = _bars(vals[:cut] + new_vals, spr[:cut] + new_spr)
    return _bars(vals, spr), changed, cut


@settings(max_examples=60, deadline=None)
@given(data=series_and_cut())
def test_every_indicator_is_causal(data: tuple[Series, Series, int]) -> None:
    full, changed, cut = data
    truncated = {k: v[:cut] for k, v in full.items()}
    for name, fn in INDICATORS.items():
        base = fn(full)[:cut]
        assert base.shape == (cut,), name
        np.testing.assert_array_equal(fn(truncated), base, err_msg=f"{name}: truncation changed values")
        np.testing.assert_array_equal(fn(changed)[:cut], base, err_msg=f"{name}: later data leaked")
        assert fn(full).shape == full["close"].shape, name
