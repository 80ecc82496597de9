"""Moving averages: simple, exponential, linearly weighted, and Wilder's smoothing.

Recursive averages (EMA, Wilder) are seeded with the simple mean of their first ``window``
finite inputs — the textbook seeding — and start after any leading NaN of the input, so
they compose (an EMA of a MACD line that is itself NaN during its own warm-up).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from jutsu.core.context import FloatArray
from jutsu.indicators._common import as_series, check_window, nan_like, windows

__all__ = ["ema", "recursive_average", "sma", "wilder", "wma"]


def sma(values: npt.ArrayLike, window: int) -> FloatArray:
    """Simple moving average: ``mean(x[i-window+1 .. i])``; NaN for i < window - 1."""
    x = as_series(values)
    n = check_window(window)
    out = nan_like(x)
    if x.shape[0] >= n:
        out[n - 1 :] = windows(x, n).sum(axis=1) / n
    return out


def wma(values: npt.ArrayLike, window: int) -> FloatArray:
    """Linearly weighted moving average, newest weight ``window``: ``Σ k·x_k / Σ k``."""
    x = as_series(values)
    n = check_window(window)
    out = nan_like(x)
    if x.shape[0] >= n:
        weights = np.arange(1, n + 1, dtype=np.float64)
        out[n - 1 :] = windows(x, n) @ weights / weights.sum()
    return out


def _first_finite(x: FloatArray) -> int:
    finite = np.flatnonzero(np.isfinite(x))
    return int(finite[0]) if finite.shape[0] else x.shape[0]


def recursive_average(values: npt.ArrayLike, window: int, alpha: float) -> FloatArray:
    """``a_i = a_{i-1} + alpha·(x_i − a_{i-1})`` seeded with the mean of the first ``window`` values.

    The seed is placed at the ``window``-th finite input; everything before it is NaN. A NaN
    input after the seed propagates (the average is undefined from there on), which is the
    honest answer for a gap in the data.
    """
    x = as_series(values)
    n = check_window(window)
    out = nan_like(x)
    start = _first_finite(x)
    seed_at = start + n - 1
    if seed_at >= x.shape[0]:
        return out
    acc = float(np.mean(x[start : seed_at + 1]))
    out[seed_at] = acc
    keep = 1.0 - alpha
    tail = x[seed_at + 1 :].tolist()
    res = []
    for v in tail:  # a scalar loop beats numpy per-element calls for this recursion
        acc = keep * acc + alpha * v
        res.append(acc)
    out[seed_at + 1 :] = res
    return out


def ema(values: npt.ArrayLike, window: int) -> FloatArray:
    """Exponential moving average, ``alpha = 2 / (window + 1)``, SMA-seeded."""
    n = check_window(window)
    return recursive_average(values, n, 2.0 / (n + 1.0))


def wilder(values: npt.ArrayLike, window: int) -> FloatArray:
    """Wilder's smoothing (RSI, ATR, ADX): ``alpha = 1 / window``, SMA-seeded."""
    n = check_window(window)
    return recursive_average(values, n, 1.0 / n)
