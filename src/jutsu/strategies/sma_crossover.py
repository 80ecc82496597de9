"""SMA crossover: fully long while the fast SMA of the close is above the slow SMA, else flat.

The classic trend-following toy, kept because it is simple enough to be reproduced exactly by
an independent engine (backtrader), which is how the engine's parity is proven.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Self

import numpy as np
from pydantic import Field, model_validator

from jutsu.core.context import BarContext
from jutsu.core.decision import Decision
from jutsu.indicators import sma
from jutsu.strategies.base import Strategy, StrategyParams

__all__ = ["SmaCrossover", "SmaCrossoverParams"]

_ONE = Decimal(1)
_ZERO = Decimal(0)


class SmaCrossoverParams(StrategyParams):
    """Parameters of :class:`SmaCrossover`."""

    symbol: str = Field(default="QQQ", min_length=1, description="Symbol traded and measured.")
    fast: int = Field(default=50, ge=1, description="Fast SMA window (sessions).")
    slow: int = Field(default=200, ge=2, description="Slow SMA window (sessions), > fast.")

    @model_validator(mode="after")
    def _slow_above_fast(self) -> Self:
        if self.slow <= self.fast:
            raise ValueError(f"slow ({self.slow}) must be greater than fast ({self.fast})")
        return self


class SmaCrossover(Strategy[SmaCrossoverParams]):
    """Long 100 % while SMA(fast) > SMA(slow) on today's close; flat otherwise."""

    strategy_id = "sma_crossover"
    display_name = "SMA crossover"
    Params = SmaCrossoverParams
    journal_columns = ("sma_fast", "sma_slow", "signal")

    def symbols(self) -> tuple[str, ...]:
        return (self.params.symbol,)

    def warmup_bars(self) -> int:
        return self.params.slow

    def decide(self, ctx: BarContext) -> Decision:
        p = self.params
        fast = ctx.indicator(p.symbol, "close", sma, p.fast)
        slow = ctx.indicator(p.symbol, "close", sma, p.slow)
        f = float(fast[-1]) if fast.shape[0] else float("nan")
        s = float(slow[-1]) if slow.shape[0] else float("nan")
        long = bool(f > s)  # NaN compares False: flat until both averages exist
        target = _ONE if long else _ZERO
        weights = {p.symbol: target}
        journal = {
            "sma_fast": None if np.isnan(f) else f,
            "sma_slow": None if np.isnan(s) else s,
            "signal": "LONG" if long else "FLAT",
        }
        held = ctx.portfolio.positions.get(p.symbol, 0)
        if ctx.has_bar(p.symbol) and ((long and held == 0) or (not long and held > 0)):
            return Decision(weights=weights, trade=(p.symbol,), journal=journal)
        return Decision.hold(weights, journal)
