"""Momentum oscillators: RSI (Wilder) and MACD."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from jutsu.core.context import FloatArray
from jutsu.indicators._common import as_series, check_window, nan_like
from jutsu.indicators.moving import ema, wilder

__all__ = ["Macd", "macd", "macd_histogram", "macd_line", "macd_signal", "rsi"]


def rsi(values: npt.ArrayLike, window: int = 14) -> FloatArray:
    """Wilder's Relative Strength Index in [0, 100].

    Gains and losses of the close-to-close changes are Wilder-smoothed (seeded with the
    mean of the first ``window`` changes), so the first value is at index ``window``.
    ``RSI = 100 − 100 / (1 + avg_gain / avg_loss)``; 100 when there was no loss, 50 when the
    series did not move at all (no gain and no loss: neither side dominates).
    """
    x = as_series(values)
    n = check_window(window)
    out = nan_like(x)
    if x.shape[0] <= n:
        return out
    change = np.diff(x)
    gain = wilder(np.where(change > 0, change, 0.0), n)
    loss = wilder(np.where(change < 0, -change, 0.0), n)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 100.0 - 100.0 / (1.0 + gain / loss)
    value = np.where(loss == 0.0, np.where(gain == 0.0, 50.0, 100.0), value)
    value[np.isnan(gain) | np.isnan(loss)] = np.nan
    out[1:] = value
    return out


class Macd(NamedTuple):
    """MACD line (fast EMA − slow EMA), its signal EMA, and their difference."""

    line: FloatArray
    signal: FloatArray
    histogram: FloatArray


def macd(values: npt.ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9) -> Macd:
    """Moving Average Convergence Divergence with SMA-seeded EMAs (see :func:`ema`)."""
    check_window(fast, "fast")
    check_window(slow, "slow")
    check_window(signal, "signal")
    if fast >= slow:
        raise ValueError(f"fast ({fast}) must be smaller than slow ({slow})")
    x = as_series(values)
    line = ema(x, fast) - ema(x, slow)
    sig = ema(line, signal)
    return Macd(line, sig, line - sig)


def macd_line(values: npt.ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9) -> FloatArray:
    """Single-output form of :func:`macd` for ``BarContext.indicator``."""
    return macd(values, fast, slow, signal).line


def macd_signal(values: npt.ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9) -> FloatArray:
    """Single-output form of :func:`macd` for ``BarContext.indicator``."""
    return macd(values, fast, slow, signal).signal


def macd_histogram(values: npt.ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9) -> FloatArray:
    """Single-output form of :func:`macd` for ``BarContext.indicator``."""
    return macd(values, fast, slow, signal).histogram
