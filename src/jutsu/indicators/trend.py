"""Directional movement: Wilder's +DI, −DI and ADX."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from jutsu.core.context import FloatArray
from jutsu.indicators._common import as_series, check_window, nan_like
from jutsu.indicators.moving import wilder
from jutsu.indicators.volatility import true_range

__all__ = ["Dmi", "adx", "dmi"]


class Dmi(NamedTuple):
    """Wilder's directional indicators (0–100) and the average directional index."""

    plus_di: FloatArray
    minus_di: FloatArray
    adx: FloatArray


def dmi(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, window: int = 14) -> Dmi:
    """Wilder's DMI/ADX.

    Directional movement starts at bar 1 (it needs the previous bar). ``+DM`` is the rise of
    the high if it beats the fall of the low (and is positive), ``−DM`` symmetrically. TR,
    +DM and −DM are Wilder-smoothed over ``window`` (scaling a Wilder sum or average is
    irrelevant to the DI ratios), ``DX = 100·|+DI − −DI| / (+DI + −DI)`` (0 if both are 0),
    and ADX is the Wilder average of DX: first DI at ``window``, first ADX at ``2·window − 1``.
    """
    n = check_window(window)
    h, lo, c = as_series(high, "high"), as_series(low, "low"), as_series(close, "close")
    if not h.shape == lo.shape == c.shape:
        raise ValueError("high, low and close must have the same length")
    plus_di, minus_di, adx_out = nan_like(c), nan_like(c), nan_like(c)
    if c.shape[0] < 2:
        return Dmi(plus_di, minus_di, adx_out)
    up = h[1:] - h[:-1]
    down = lo[:-1] - lo[1:]
    plus_dm = np.where((up > down) & (up > 0.0), up, 0.0)
    minus_dm = np.where((down > up) & (down > 0.0), down, 0.0)
    tr = wilder(true_range(h, lo, c)[1:], n)
    with np.errstate(divide="ignore", invalid="ignore"):
        pdi = 100.0 * wilder(plus_dm, n) / tr
        mdi = 100.0 * wilder(minus_dm, n) / tr
        pdi = np.where(tr == 0.0, 0.0, pdi)  # no range at all: no direction either
        mdi = np.where(tr == 0.0, 0.0, mdi)
        total = pdi + mdi
        dx = np.where(total == 0.0, 0.0, 100.0 * np.abs(pdi - mdi) / total)
    dx[np.isnan(total)] = np.nan
    plus_di[1:] = pdi
    minus_di[1:] = mdi
    adx_out[1:] = wilder(dx, n)
    return Dmi(plus_di, minus_di, adx_out)


def adx(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, window: int = 14) -> FloatArray:
    """Average Directional Index (see :func:`dmi`)."""
    return dmi(high, low, close, window).adx
