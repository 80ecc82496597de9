"""The standard trade order for a generic strategy moving toward target weights.

Reductions come first so that the cash they free is available to the increases that follow
(buys are capped by cash, §5), and each group is symbol-ascending so the order is
deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

__all__ = ["plan_rebalance"]

_ZERO = Decimal(0)


def plan_rebalance(
    weights: Mapping[str, Decimal],
    current_weights: Mapping[str, Decimal],
    drift_threshold: Decimal = _ZERO,
) -> tuple[str, ...]:
    """Symbols to trade, in execution order.

    A symbol is traded when ``|target − current| > drift_threshold`` (a symbol absent from
    ``weights`` has target 0; absent from ``current_weights``, current 0). Reductions
    (target < current) first, then increases, each group sorted by symbol.
    """
    reductions: list[str] = []
    increases: list[str] = []
    for symbol in sorted(set(weights) | set(current_weights)):
        target = weights.get(symbol, _ZERO)
        current = current_weights.get(symbol, _ZERO)
        if abs(target - current) <= drift_threshold:
            continue
        (reductions if target < current else increases).append(symbol)
    return (*reductions, *increases)
