"""Volatility measures: true range / ATR, Bollinger bands, annualised realised volatility."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from jutsu.core.context import FloatArray
from jutsu.indicators._common import as_series, check_window, nan_like, windows
from jutsu.indicators.moving import sma, wilder
from jutsu.indicators.statistics import pct_change, rolling_zscore

__all__ = [
    "TRADING_DAYS",
    "Bollinger",
    "atr",
    "bollinger",
    "bollinger_lower",
    "bollinger_upper",
    "log_returns",
    "realized_volatility",
    "realized_volatility_change",
    "true_range",
    "volatility_zscore",
]

TRADING_DAYS = 252


def _hlc(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike) -> tuple[FloatArray, ...]:
    h, lo, c = as_series(high, "high"), as_series(low, "low"), as_series(close, "close")
    if not h.shape == lo.shape == c.shape:
        raise ValueError("high, low and close must have the same length")
    return h, lo, c


def true_range(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike) -> FloatArray:
    """Wilder's true range; the first bar (no previous close) is ``high − low``."""
    h, lo, c = _hlc(high, low, close)
    tr = h - lo
    if c.shape[0] > 1:
        prev = c[:-1]
        tr[1:] = np.maximum.reduce([h[1:] - lo[1:], np.abs(h[1:] - prev), np.abs(lo[1:] - prev)])
    return tr


def atr(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, window: int = 14) -> FloatArray:
    """Average True Range: Wilder smoothing of :func:`true_range`, first value at ``window − 1``."""
    return wilder(true_range(high, low, close), check_window(window))


class Bollinger(NamedTuple):
    """Middle band (SMA) and the bands ``k`` population standard deviations away."""

    middle: FloatArray
    upper: FloatArray
    lower: FloatArray


def bollinger(values: npt.ArrayLike, window: int = 20, k: float = 2.0) -> Bollinger:
    """Bollinger bands with the population std (divisor n), as Bollinger defines them."""
    x = as_series(values)
    n = check_window(window)
    mid = sma(x, n)
    sd = nan_like(x)
    if x.shape[0] >= n:
        sd[n - 1 :] = windows(x, n).std(axis=1, ddof=0)
    return Bollinger(mid, mid + k * sd, mid - k * sd)


def bollinger_upper(values: npt.ArrayLike, window: int = 20, k: float = 2.0) -> FloatArray:
    """Single-output form of :func:`bollinger` for ``BarContext.indicator``."""
    return bollinger(values, window, k).upper


def bollinger_lower(values: npt.ArrayLike, window: int = 20, k: float = 2.0) -> FloatArray:
    """Single-output form of :func:`bollinger` for ``BarContext.indicator``."""
    return bollinger(values, window, k).lower


def log_returns(close: npt.ArrayLike) -> FloatArray:
    """``ln(c_i / c_{i−1})`` aligned with the close it ends on (NaN at index 0)."""
    c = as_series(close, "close")
    out = nan_like(c)
    if c.shape[0] > 1:
        out[1:] = np.log(c[1:] / c[:-1])
    return out


def realized_volatility(close: npt.ArrayLike, window: int = 21) -> FloatArray:
    """Annualised realised volatility (strategy spec §4.3).

    ``σ_i = std(r over the window log returns ending at i, divisor n−1) · √252``; defined
    once ``window`` returns exist, i.e. from close index ``window``.
    """
    n = check_window(window, minimum=2)
    r = log_returns(close)
    out = nan_like(r)
    if r.shape[0] > n:
        out[n:] = windows(r[1:], n).std(axis=1, ddof=1) * math.sqrt(TRADING_DAYS)
    return out


def volatility_zscore(close: npt.ArrayLike, window: int = 21, baseline: int = 126) -> FloatArray:
    """z-score of today's realised vol against its last ``baseline`` values (today included).

    Needs ``window + baseline`` closes; a flat baseline gives z = 0 (spec §4.3).
    """
    return rolling_zscore(realized_volatility(close, window), check_window(baseline, "baseline", 2))


def realized_volatility_change(close: npt.ArrayLike, window: int = 21, lookback: int = 5) -> FloatArray:
    """Relative change of realised vol over ``lookback`` bars (the vol-crush measure, spec §4.5).

    NaN when the earlier vol is 0 or undefined, so "no crush" follows from any comparison.
    """
    return pct_change(realized_volatility(close, window), lookback)
