"""Buy and hold: put ``weight`` of equity into one symbol on the first trading date, then hold.

The simplest strategy there is, and the yardstick every other one is compared to. It is
also the smallest end-to-end exercise of the engine (one buy, then marking to market).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from jutsu.core.context import BarContext
from jutsu.core.decision import Decision
from jutsu.strategies.base import Strategy, StrategyParams

__all__ = ["BuyAndHold", "BuyAndHoldParams"]


class BuyAndHoldParams(StrategyParams):
    """Parameters of :class:`BuyAndHold`."""

    symbol: str = Field(default="QQQ", min_length=1, description="Symbol to buy and hold.")
    weight: Decimal = Field(
        default=Decimal("1.0"), ge=0, le=1, description="Fraction of equity to invest (0-1)."
    )


class BuyAndHold(Strategy[BuyAndHoldParams]):
    """Buy once (when flat), never rebalance, never sell."""

    strategy_id = "buy_and_hold"
    display_name = "Buy and hold"
    Params = BuyAndHoldParams
    journal_columns = ("position",)

    def symbols(self) -> tuple[str, ...]:
        return (self.params.symbol,)

    def warmup_bars(self) -> int:
        return 0

    def decide(self, ctx: BarContext) -> Decision:
        symbol = self.params.symbol
        weights = {symbol: self.params.weight}
        held = ctx.portfolio.positions.get(symbol, 0)
        journal = {"position": held}
        # Buy only while flat and only on a date the symbol actually trades; once in, hold.
        if held == 0 and self.params.weight > 0 and ctx.has_bar(symbol):
            return Decision(weights=weights, trade=(symbol,), journal=journal)
        return Decision.hold(weights, journal)
