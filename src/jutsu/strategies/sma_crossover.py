"""SMA crossover: fully long while the fast SMA of the close is above the slow SMA, else flat.

The classic trend-following toy, kept because it is simple enough to be reproduced exactly by
an independent engine (backtrader), which is how the engine's parity is proven.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Self

from pydantic import Field, model_validator

from jutsu.core.context import BarContext
from jutsu.core.decision import Decision, JournalValue
from jutsu.indicators import sma
from jutsu.strategies.base import Strategy, StrategyParams

__all__ = ["SmaCrossover", "SmaCrossoverParams"]

_ONE = Decimal(1)
_ZERO = Decimal(0)
_NAN = float("nan")


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
        symbol = p.symbol
        fast = ctx.indicator(symbol, "close", sma, p.fast)
        slow = ctx.indicator(symbol, "close", sma, p.slow)
        f = float(fast[-1]) if len(fast) else _NAN
        s = float(slow[-1]) if len(slow) else _NAN
        long = f > s  # NaN compares False: flat until both averages exist
        weights = {symbol: _ONE if long else _ZERO}
        journal: dict[str, JournalValue] = {
            "sma_fast": None if math.isnan(f) else f,
            "sma_slow": None if math.isnan(s) else s,
            "signal": "LONG" if long else "FLAT",
        }
        held = ctx.portfolio.positions.get(symbol, 0)
        if (held == 0) == long and ctx.has_bar(symbol):  # long & flat, or flat-signal & holding
            return Decision(weights=weights, trade=(symbol,), journal=journal)
        return Decision(weights=weights, trade=(), journal=journal)
