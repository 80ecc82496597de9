"""Paper broker: simulated fills at a fresh quote with the backtest's cost model (DECISIONS 2).

Fill price = quote × (1 + s) for buys and × (1 − s) for sells, commission = c × shares, with
the very `CostModel` the strategy's backtest uses; fed the session's closes as quotes, a paper
book therefore equals the backtest ledger day for day (the parity test proves it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import Engine

from jutsu.brokers.base import OrderRequest
from jutsu.brokers.simulated import QuoteSource, SimulatedBroker
from jutsu.core.costs import CostModel
from jutsu.errors import BrokerError

__all__ = ["PaperBroker"]


class PaperBroker(SimulatedBroker):
    """The `Broker` of a strategy in ``paper`` mode; its book lives in the database."""

    mode = "paper"

    def __init__(
        self,
        engine: Engine,
        strategy_id: str,
        quotes: QuoteSource,
        *,
        costs: CostModel | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(engine, strategy_id, quotes, clock=clock)
        self.costs = costs or CostModel()

    def fill_terms(self, order: OrderRequest) -> tuple[Decimal, Decimal]:
        """Fresh quote "after submission", moved against the trader by the slippage."""
        quote = self._quotes([order.symbol]).get(order.symbol)
        if quote is None or not quote.last.is_finite() or quote.last <= 0:
            raise BrokerError(f"paper broker: no usable quote for {order.symbol}")
        price = self.costs.buy_price(quote.last) if order.side == "BUY" else self.costs.sell_price(quote.last)
        return price, self.costs.commission(order.quantity)
