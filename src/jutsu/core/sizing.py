"""Whole-share order sizing from a target weight (backtest-semantics §5).

A pure function shared by the backtest engine and the live pipeline, so both turn the same
target into the same number of shares. Share counts are truncated toward zero; buys are
capped by available cash (positions are not treated as spendable).
"""

from __future__ import annotations

from decimal import Decimal

from jutsu.core.costs import CostModel
from jutsu.errors import BacktestError

__all__ = ["order_quantity"]

_ZERO = Decimal(0)


def order_quantity(
    target_weight: Decimal,
    quantity: int,
    price: Decimal,
    equity: Decimal,
    cash: Decimal,
    costs: CostModel,
) -> int:
    """Signed shares to trade now (``> 0`` buy, ``< 0`` sell, ``0`` nothing).

    Args:
        target_weight: p in [0, 1]; 0 closes the position.
        quantity: q, the current shares held (long-only: q >= 0).
        price: P, the symbol's latest close.
        equity: V = cash + Σ qty·price at latest prices, after earlier fills of the date.
        cash: available cash.
        costs: slippage ``s`` and commission per share ``c``.

    Raises:
        BacktestError: ``quantity`` is negative (shorts are not supported) or ``price`` <= 0.
    """
    if quantity < 0:
        raise BacktestError(f"short positions are not supported (quantity {quantity})")
    if target_weight == 0:
        return -quantity  # §5.1: close (nothing if already flat)
    if price <= 0:
        raise BacktestError(f"cannot size an order at a non-positive price {price}")
    s, c = costs.slippage, costs.commission_per_share
    if quantity != 0:  # §5.2: rebalance an existing position toward p
        if equity <= 0:
            return 0
        current = abs(quantity) * price / equity
        delta = target_weight - current
        amount = equity * delta
        if delta > 0:
            n = int(max(min(amount, cash), _ZERO) / (price * (1 + s) + c))
        else:
            n = int(amount / (price * (1 - s)))
        return n if abs(n) >= 1 else 0
    # §5.3: open a new long position
    budget = min(equity * target_weight, cash)
    if budget <= 0:
        return 0
    return max(int(budget / (price * (1 + s) + c)), 0)
