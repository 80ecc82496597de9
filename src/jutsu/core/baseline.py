"""The buy-and-hold baseline every run is compared with (backtest-semantics §10).

Fractional shares and no costs: it measures the market, not an implementable strategy, and
it uses only bars dated start..end (no warm-up).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from jutsu.errors import BacktestError

__all__ = ["buy_and_hold_equity", "forward_fill"]


def buy_and_hold_equity(
    dates: Sequence[dt.date],
    closes: Sequence[Decimal],
    capital: Decimal,
    start: dt.date,
    end: dt.date,
) -> tuple[list[dt.date], list[Decimal]]:
    """``B_t = (K / close_first) × close_t`` for the bars dated ``start`` <= t <= ``end``.

    Returns the baseline's own dates and values (exact Decimal, fractional shares).

    Raises:
        BacktestError: fewer than 2 bars in range, or lengths differ, or a close <= 0.
    """
    if len(dates) != len(closes):
        raise BacktestError(f"baseline has {len(dates)} dates but {len(closes)} closes")
    picked = [(d, c) for d, c in zip(dates, closes, strict=True) if start <= d <= end]
    if len(picked) < 2:
        raise BacktestError(f"baseline needs at least 2 bars between {start} and {end}, got {len(picked)}")
    first = picked[0][1]
    if first <= 0:
        raise BacktestError(f"baseline close on {picked[0][0]} is not positive: {first}")
    shares = capital / first
    return [d for d, _ in picked], [shares * c for _, c in picked]


def forward_fill(
    source_dates: Sequence[dt.date], values: Sequence[Decimal], dates: Sequence[dt.date]
) -> list[Decimal | None]:
    """``values`` re-indexed on ``dates``: a date without a value repeats the previous one.

    Dates before the first source date get ``None``. Both date lists must be ascending.
    """
    out: list[Decimal | None] = []
    j, last = 0, None
    for d in dates:
        while j < len(source_dates) and source_dates[j] <= d:
            last = values[j]
            j += 1
        out.append(last)
    return out
