"""Rolling statistics: standard deviation, z-score and n-bar relative change."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from jutsu.core.context import FloatArray
from jutsu.indicators._common import as_series, check_window, nan_like, windows

__all__ = ["pct_change", "rolling_std", "rolling_zscore"]


def rolling_std(values: npt.ArrayLike, window: int, ddof: int = 1) -> FloatArray:
    """Standard deviation of ``x[i-window+1 .. i]`` (sample std by default, divisor n−1)."""
    x = as_series(values)
    n = check_window(window, minimum=ddof + 1)
    out = nan_like(x)
    if x.shape[0] >= n:
        out[n - 1 :] = windows(x, n).std(axis=1, ddof=ddof)
    return out


def rolling_zscore(values: npt.ArrayLike, window: int, ddof: int = 1) -> FloatArray:
    """``(x_i − mean(w)) / std(w)`` over the trailing window w ending at i (x_i included).

    A window with zero dispersion has z = 0 (the value equals the mean), as the
    Hierarchical Adaptive spec §4.3 defines it. NaN inside a window gives NaN.
    """
    x = as_series(values)
    n = check_window(window, minimum=ddof + 1)
    out = nan_like(x)
    if x.shape[0] < n:
        return out
    w = windows(x, n)
    mean = w.mean(axis=1)
    std = w.std(axis=1, ddof=ddof)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x[n - 1 :] - mean) / std
    out[n - 1 :] = np.where(std == 0.0, 0.0, z)
    return out


def pct_change(values: npt.ArrayLike, periods: int = 1) -> FloatArray:
    """``(x_i − x_{i−periods}) / x_{i−periods}``; NaN when undefined or the base is 0."""
    x = as_series(values)
    k = check_window(periods, "periods")
    out = nan_like(x)
    if x.shape[0] > k:
        base = x[:-k]
        with np.errstate(divide="ignore", invalid="ignore"):
            change = (x[k:] - base) / base
        out[k:] = np.where(base == 0.0, np.nan, change)
    return out
