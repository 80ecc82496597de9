"""The read-only view a strategy gets at trading date t.

This is where "no look-ahead" is made impossible rather than discouraged: every array a
strategy can reach is a read-only numpy view cut at the last bar dated <= t. The engine
owns the full arrays; the strategy never sees them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["BarContext", "FloatArray", "History", "IndicatorFn", "PortfolioView"]

FloatArray = npt.NDArray[np.float64]
IndicatorFn = Callable[..., FloatArray]


class History(Protocol):
    """One symbol's bars received so far (dates <= t), oldest first, as read-only arrays.

    Prices are float64 (indicators are float64 by spec); exact Decimal prices for money
    live in the engine's ledger.
    """

    @property
    def symbol(self) -> str: ...
    @property
    def dates(self) -> npt.NDArray[np.datetime64]: ...
    @property
    def open(self) -> FloatArray: ...
    @property
    def high(self) -> FloatArray: ...
    @property
    def low(self) -> FloatArray: ...
    @property
    def close(self) -> FloatArray: ...
    @property
    def volume(self) -> FloatArray: ...
    def __len__(self) -> int: ...


class PortfolioView(Protocol):
    """Holdings as known at the start of date t's decision (before any fill of date t)."""

    @property
    def cash(self) -> Decimal: ...
    @property
    def positions(self) -> Mapping[str, int]: ...
    @property
    def equity(self) -> Decimal: ...
    def last_price(self, symbol: str) -> Decimal | None: ...
    def weight(self, symbol: str) -> Decimal: ...


class BarContext(Protocol):
    """Everything a strategy may know at trading date t."""

    @property
    def date(self) -> dt.date: ...
    @property
    def is_warmup(self) -> bool:
        """True before the backtest start date: the decision is computed, its trades discarded."""
        ...

    @property
    def portfolio(self) -> PortfolioView: ...
    def has_bar(self, symbol: str) -> bool:
        """True if ``symbol`` has a bar dated exactly t."""
        ...

    def history(self, symbol: str) -> History:
        """Bars of ``symbol`` dated <= t (possibly empty if it has no data yet)."""
        ...

    def indicator(
        self, symbol: str, field: str | tuple[str, ...], fn: IndicatorFn, *args: object
    ) -> FloatArray:
        """``fn(full_series_of_field, *args)`` computed once per run (and shared across runs
        on the same data), returned cut at t. ``fn`` must be causal (value i depends on
        inputs <= i only): every indicator in :mod:`jutsu.indicators` is, and is tested so.

        ``field`` may be a tuple of fields: ``fn`` then gets one full series per field, in
        order — ``ctx.indicator("QQQ", ("close", "volume"), kalman_strength_series, ...)``.
        That is how a heavy recursive indicator (the Kalman trend) is computed once per data
        window instead of bar by bar inside the strategy. ``fn`` may return a 2-D array with
        one row per bar (several outputs read with one call: ``ctx.indicator(...)[-1]``).
        """
        ...
