"""From target weights to orders: deterministic ids, whole-share sizing, sells before buys.

Sizing is :func:`jutsu.core.sizing.order_quantity` (backtest-semantics §5), applied one order
at a time against the book as it stands after the previous fills — exactly the engine's
loop, which is what makes paper = backtest. Ids are deterministic so that a retry or a restart
of the same run produces the same client order ids and the broker can refuse a duplicate.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from jutsu.core.costs import CostModel
from jutsu.core.sizing import order_quantity

__all__ = [
    "EXECUTION_NAMESPACE",
    "PlannedOrder",
    "SimBook",
    "client_order_id",
    "execution_id_for",
    "order_sequence",
    "passes_threshold",
    "plan_orders",
    "size_order",
]

EXECUTION_NAMESPACE = uuid.UUID("5b0f1d1e-6a43-4c3e-9b1c-0e6a2f7c9d11")
"""Fixed namespace of the uuid5 execution ids (changing it would change every id)."""

Side = Literal["BUY", "SELL"]


def execution_id_for(strategy_id: str, mode: str, session: dt.date, trigger: str = "scheduled") -> str:
    """The run id of (strategy, mode, session, trigger): the same on every retry (36 chars)."""
    return str(uuid.uuid5(EXECUTION_NAMESPACE, f"{strategy_id}|{mode}|{session.isoformat()}|{trigger}"))


def client_order_id(execution_id: str, symbol: str, action: str) -> str:
    """``"{execution_id}:{symbol}:{action}"`` (spec §2.3 ``live_trades.client_order_id``)."""
    return f"{execution_id}:{symbol}:{action}"


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    symbol: str
    side: Side
    quantity: int
    reference_price: Decimal
    target_weight: Decimal
    below_threshold: bool = False


@dataclass(slots=True)
class SimBook:
    """Cash and shares, moved by expected fills (preview and side prediction)."""

    cash: Decimal
    positions: dict[str, int]

    def equity(self, prices: Mapping[str, Decimal]) -> Decimal:
        return self.cash + sum((q * prices[s] for s, q in self.positions.items() if q), Decimal(0))

    def fill(self, symbol: str, shares: int, price: Decimal, costs: CostModel) -> None:
        if shares > 0:
            self.cash -= shares * costs.buy_price(price) + costs.commission(shares)
        else:
            self.cash += -shares * costs.sell_price(price) - costs.commission(shares)
        self.positions[symbol] = self.positions.get(symbol, 0) + shares


def size_order(
    target: Decimal, held: int, price: Decimal, equity: Decimal, cash: Decimal, costs: CostModel
) -> int:
    """Signed whole shares toward ``target`` (§5; a thin alias kept for readability)."""
    return order_quantity(target, held, price, equity, cash, costs)


def passes_threshold(shares: int, price: Decimal, equity: Decimal, threshold_pct: Decimal) -> bool:
    """Spec §5.2 step 9: keep an order only if ``|shares| × price ≥ threshold % × equity``."""
    if threshold_pct <= 0:
        return True
    return abs(shares) * price >= threshold_pct / 100 * equity


def order_sequence(
    trade: Sequence[str],
    weights: Mapping[str, Decimal],
    book: SimBook,
    prices: Mapping[str, Decimal],
    costs: CostModel,
) -> list[str]:
    """The strategy's trade list, stably reordered so every sell precedes every buy."""
    sides: dict[str, int] = {}
    for symbol in trade:
        price = prices.get(symbol)
        if price is None:
            continue
        shares = order_quantity(
            weights.get(symbol, Decimal(0)),
            book.positions.get(symbol, 0),
            price,
            book.equity(prices),
            book.cash,
            costs,
        )
        sides[symbol] = -1 if shares < 0 else 1
    return [s for s in trade if sides.get(s) == -1] + [s for s in trade if sides.get(s) == 1]


def plan_orders(
    trade: Sequence[str],
    weights: Mapping[str, Decimal],
    book: SimBook,
    prices: Mapping[str, Decimal],
    costs: CostModel,
    threshold_pct: Decimal,
) -> list[PlannedOrder]:
    """The orders a run would send now, simulating each expected fill before sizing the next."""
    sim = SimBook(book.cash, dict(book.positions))
    planned: list[PlannedOrder] = []
    for symbol in order_sequence(trade, weights, sim, prices, costs):
        price = prices[symbol]
        target = weights.get(symbol, Decimal(0))
        equity = sim.equity(prices)
        shares = order_quantity(target, sim.positions.get(symbol, 0), price, equity, sim.cash, costs)
        if shares == 0:
            continue
        kept = passes_threshold(shares, price, equity, threshold_pct)
        planned.append(
            PlannedOrder(symbol, "BUY" if shares > 0 else "SELL", abs(shares), price, target, not kept)
        )
        if kept:
            sim.fill(symbol, shares, price, costs)
    return planned
