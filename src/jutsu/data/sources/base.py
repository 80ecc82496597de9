"""The ``MarketDataSource`` protocol and the one helper that builds bar frames.

Sync, the CLI and the backtest runner depend only on this protocol, so a source (CSV directory,
Yahoo, synthetic, later Schwab) can be swapped without touching them, and tests can feed a
local fake. Every source returns the bar frame of ``jutsu.core.bars``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from jutsu.core.bars import BAR_COLUMNS

__all__ = ["MarketDataSource", "make_bar_frame", "slice_frame"]


@runtime_checkable
class MarketDataSource(Protocol):
    """Something that can produce daily bars for a symbol.

    ``name`` is what storage records as ``data_source`` (``csv``, ``yahoo``, ``synthetic``...).
    ``fetch`` returns the completed sessions ``start <= date <= end`` (``end=None``: up to the
    newest the source has) as a validated bar frame; it raises ``DataError`` if the symbol is
    unknown to the source.
    """

    @property
    def name(self) -> str: ...

    def fetch(self, symbol: str, start: date, end: date | None = None) -> pd.DataFrame: ...


def make_bar_frame(
    dates: Sequence[date] | pd.DatetimeIndex,
    opens: Sequence[Decimal],
    highs: Sequence[Decimal],
    lows: Sequence[Decimal],
    closes: Sequence[Decimal],
    volumes: Sequence[int] | np.ndarray,
) -> pd.DataFrame:
    """Assemble a bar frame with the exact dtypes of the convention (no validation)."""
    return pd.DataFrame(
        {
            "date": pd.DatetimeIndex(pd.to_datetime(list(dates))).astype("datetime64[ns]"),
            "open": pd.Series(list(opens), dtype=object),
            "high": pd.Series(list(highs), dtype=object),
            "low": pd.Series(list(lows), dtype=object),
            "close": pd.Series(list(closes), dtype=object),
            "volume": np.asarray(volumes, dtype=np.int64),
        },
        columns=list(BAR_COLUMNS),
    )


def slice_frame(frame: pd.DataFrame, start: date | None, end: date | None) -> pd.DataFrame:
    """Rows with ``start <= date <= end`` (either bound optional), re-indexed from 0."""
    mask = pd.Series(True, index=frame.index)
    if start is not None:
        mask &= frame["date"] >= pd.Timestamp(start)
    if end is not None:
        mask &= frame["date"] <= pd.Timestamp(end)
    return frame.loc[mask].reset_index(drop=True)
