"""From a regime cell to orders: base weights, treasury overlay, leverage, validation, order plan.

Allocations are kept per *role* — a 5-tuple ``(leveraged long, core long, inverse hedge,
bull bond, bear bond)``, cash being the remainder — so the arithmetic is independent of the
configured tickers (spec §6–§9). All weights are Decimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

__all__ = [
    "BOND_FACTOR",
    "Allocation",
    "apply_leverage",
    "base_weights",
    "deviation",
    "order_plan",
    "treasury_overlay",
    "validate_targets",
]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HALF = Decimal("0.5")
BOND_FACTOR = Decimal("0.4")
"""The fixed share of the defensive weight that goes to bonds (§7.2), before ``max_bond_weight``."""


class Allocation(NamedTuple):
    """Target weights by role; cash is ``1 − sum``. Field order is the order of §9.3."""

    leveraged: Decimal = _ZERO
    core: Decimal = _ZERO
    inverse: Decimal = _ZERO
    bull_bond: Decimal = _ZERO
    bear_bond: Decimal = _ZERO

    @property
    def cash(self) -> Decimal:
        return _ONE - sum(self, _ZERO)


_CELLS: dict[int, Allocation] = {
    1: Allocation(leveraged=Decimal("0.6"), core=Decimal("0.4")),
    2: Allocation(core=_ONE),
    3: Allocation(leveraged=Decimal("0.2"), core=Decimal("0.8")),
    4: Allocation(),
    5: Allocation(core=_HALF),
    6: Allocation(),
}


def base_weights(cell: int, use_inverse_hedge: bool, w_psq_max: Decimal) -> Allocation:
    """§6: the cell's base allocation; cell 6 with the hedge holds ``min(0.5, w_PSQ_max)`` PSQ."""
    if cell == 6 and use_inverse_hedge:
        return Allocation(inverse=min(_HALF, w_psq_max))
    return _CELLS[cell]


def treasury_overlay(
    weights: Allocation,
    cell: int,
    use_inverse_hedge: bool,
    bond_bull: bool | None,
    max_bond_weight: Decimal,
) -> Allocation:
    """§7: put part of the defensive weight of cells 4/5/6 into TMF (bond bull) or TMV.

    ``bond_bull`` is None when the treasury trend is unknown (too little TLT history): the
    defensive weight then stays cash. Cell 6 with the inverse hedge gets no bonds.
    """
    if bond_bull is None:
        return weights
    if cell == 4 or (cell == 6 and not use_inverse_hedge):
        defensive = _ONE
    elif cell == 5:
        defensive = _HALF
    else:
        return weights
    bond = min(BOND_FACTOR * defensive, max_bond_weight)
    if bond_bull:
        return weights._replace(bull_bond=bond)
    return weights._replace(bear_bond=bond)


def apply_leverage(weights: Allocation, scalar: Decimal) -> Allocation:
    """§8: scale the equity sleeves by ``scalar`` then renormalise all weights incl. cash to 1."""
    if scalar == _ONE:
        return weights
    lev, core, inv = scalar * weights.leveraged, scalar * weights.core, scalar * weights.inverse
    total = lev + core + inv + weights.bull_bond + weights.bear_bond + weights.cash
    if total <= 0:
        return weights
    return Allocation(
        lev / total, core / total, inv / total, weights.bull_bond / total, weights.bear_bond / total
    )


def deviation(current: Allocation, target: Allocation) -> Decimal:
    """§9.1: ``Σ |cur − target|`` over the traded roles (cash excluded)."""
    return sum((abs(c - t) for c, t in zip(current, target, strict=True)), _ZERO)


def validate_targets(
    target: Allocation, equity: Decimal, last_prices: Sequence[Decimal | None]
) -> Allocation:
    """§9.2: zero every target that cannot be held: no price yet, or not even one share affordable.

    ``last_prices`` is aligned with the roles; ``equity`` is the portfolio value at the start
    of the bar, before any fill of this rebalance.
    """
    out = []
    for weight, price in zip(target, last_prices, strict=True):
        if weight <= 0 or price is None or price <= 0 or equity * weight < price:
            out.append(_ZERO)
        else:
            out.append(weight)
    return Allocation(*out)


def order_plan(current: Allocation, target: Allocation) -> tuple[int, ...]:
    """§9.3 two-phase order as role indices: first every reduction, then every increase.

    Within each phase roles keep the order of :class:`Allocation`. A role whose validated
    target equals the remembered one gets no order, even if its actual weight drifted.
    """
    reductions = [i for i, (c, t) in enumerate(zip(current, target, strict=True)) if t < c]
    increases = [i for i, (c, t) in enumerate(zip(current, target, strict=True)) if t > c]
    return tuple(reductions + increases)
