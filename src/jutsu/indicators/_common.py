"""Shared input checks for the indicator functions.

Every indicator takes a 1-D float64 array (a ``History`` field or anything array-like) and
returns a new float64 array of the same length, NaN where the indicator is not yet defined.
Values at index i depend only on inputs at indices <= i (causal), which is what lets the
engine compute an indicator once over the whole run and hand the strategy a view cut at t.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from jutsu.core.context import FloatArray

__all__ = ["as_series", "check_window", "nan_like", "windows"]


def as_series(values: npt.ArrayLike, name: str = "values") -> FloatArray:
    """Return ``values`` as a 1-D float64 array (no copy when it already is one)."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def check_window(window: int, name: str = "window", minimum: int = 1) -> int:
    """Reject windows that make no sense (a bool or a float is a caller bug, not a window)."""
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {window!r}")
    return int(window)


def nan_like(values: FloatArray) -> FloatArray:
    """A float64 array of NaN with the length of ``values``."""
    return np.full(values.shape[0], np.nan, dtype=np.float64)


def windows(values: FloatArray, window: int) -> npt.NDArray[np.float64]:
    """Read-only (n - window + 1, window) view of every trailing window; row j ends at j+window-1.

    Each window is reduced on its own, so a value never depends on rounding accumulated
    over earlier data (unlike a running cumsum) and matches a per-bar computation.
    """
    return np.lib.stride_tricks.sliding_window_view(values, window)
