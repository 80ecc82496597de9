"""Causal, vectorised technical indicators (pure numpy, float64, no I/O).

Every function takes whole series and returns an array aligned with its input, NaN while
the indicator is warming up; the value at index i never depends on data after i, so the
engine may compute an indicator once over a full run and cut it at each date
(``BarContext.indicator``). The Kalman trend filter is a recursion and is also available as
an incremental object.
"""

from jutsu.indicators.kalman import KalmanTrendFilter, kalman_trend_strength, normalise_strength
from jutsu.indicators.momentum import Macd, macd, macd_histogram, macd_line, macd_signal, rsi
from jutsu.indicators.moving import ema, sma, wilder, wma
from jutsu.indicators.statistics import pct_change, rolling_std, rolling_zscore
from jutsu.indicators.trend import Dmi, adx, dmi
from jutsu.indicators.volatility import (
    Bollinger,
    atr,
    bollinger,
    bollinger_lower,
    bollinger_upper,
    log_returns,
    realized_volatility,
    realized_volatility_change,
    true_range,
    volatility_zscore,
)

__all__ = [
    "Bollinger",
    "Dmi",
    "KalmanTrendFilter",
    "Macd",
    "adx",
    "atr",
    "bollinger",
    "bollinger_lower",
    "bollinger_upper",
    "dmi",
    "ema",
    "kalman_trend_strength",
    "log_returns",
    "macd",
    "macd_histogram",
    "macd_line",
    "macd_signal",
    "normalise_strength",
    "pct_change",
    "realized_volatility",
    "realized_volatility_change",
    "rolling_std",
    "rolling_zscore",
    "rsi",
    "sma",
    "true_range",
    "volatility_zscore",
    "wilder",
    "wma",
]
