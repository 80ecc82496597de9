"""Trend switch: hold the risk asset while it trades above its moving average, else the safe asset.

A complete example strategy for docs/writing-a-strategy.md. It shows every part of the
interface: a validated parameter model, the symbols and warm-up it needs, a causal indicator
read through the context, target weights, the symbols to trade today, and a journal that
explains each decision.
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

__all__ = ["TrendSwitch", "TrendSwitchParams"]

ONE = Decimal(1)
ZERO = Decimal(0)


class TrendSwitchParams(StrategyParams):
    """Parameters, validated when the strategy is built (from YAML, ``--param`` or a grid)."""

    risk: str = Field(default="QQQ", min_length=1, description="Held while it is above its SMA.")
    safe: str = Field(default="TLT", min_length=1, description="Held otherwise.")
    window: int = Field(default=200, ge=2, le=500, description="SMA window in sessions.")

    @model_validator(mode="after")
    def _two_symbols(self) -> Self:
        if self.risk == self.safe:
            raise ValueError("risk and safe must be different symbols")
        return self


class TrendSwitch(Strategy[TrendSwitchParams]):
    """100 % ``risk`` while its close is above SMA(window) of the close, else 100 % ``safe``."""

    strategy_id = "trend_switch"
    display_name = "Trend switch (example)"
    Params = TrendSwitchParams
    journal_columns = ("close", "sma", "regime")

    def symbols(self) -> tuple[str, ...]:
        return (self.params.risk, self.params.safe)

    def warmup_bars(self) -> int:
        return self.params.window

    def decide(self, ctx: BarContext) -> Decision:
        p = self.params
        closes = ctx.history(p.risk).close
        averages = ctx.indicator(p.risk, "close", sma, p.window)  # causal: values up to today only
        close = float(closes[-1]) if len(closes) else math.nan
        average = float(averages[-1]) if len(averages) else math.nan
        risk_on = close > average  # NaN compares False: defensive until the SMA exists
        weights = {p.risk: ONE if risk_on else ZERO, p.safe: ZERO if risk_on else ONE}
        journal: dict[str, JournalValue] = {
            "close": None if math.isnan(close) else close,
            "sma": None if math.isnan(average) else average,
            "regime": "RISK_ON" if risk_on else "RISK_OFF",
        }
        held = ctx.portfolio.positions
        wanted, unwanted = (p.risk, p.safe) if risk_on else (p.safe, p.risk)
        switching = held.get(unwanted, 0) != 0 or held.get(wanted, 0) == 0
        if switching and ctx.has_bar(p.risk) and ctx.has_bar(p.safe):
            return Decision(weights=weights, trade=(unwanted, wanted), journal=journal)  # sell first
        return Decision.hold(weights, journal)
