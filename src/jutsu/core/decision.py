"""What a strategy returns for one trading date: target weights plus a journal entry.

A strategy never places orders. It says which allocation it wants and which symbols to
trade now, in which order; turning weights into whole shares (sizing, costs, cash checks)
is the engine's job, shared by the backtest and the live pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["Decision", "JournalValue"]

JournalValue = float | int | str | bool | None


@dataclass(frozen=True, slots=True)
class Decision:
    """One date's decision.

    Attributes:
        weights: the full target allocation the strategy wants to hold after this date
            (symbol -> fraction of equity in [0, 1]); cash is the remainder. Symbols not
            listed are target 0. Reported as the ``w_<SYMBOL>`` columns of ``decisions.csv``.
        trade: the symbols to adjust now, in execution order (sells before buys is the
            strategy's responsibility; :func:`jutsu.core.rebalance.plan_rebalance` gives the
            standard order). Empty means "hold": nothing is traded today.
        journal: why — indicator values, regime, reason text. Keys are stable column names.
    """

    weights: Mapping[str, Decimal]
    trade: tuple[str, ...] = ()
    journal: Mapping[str, JournalValue] = field(default_factory=dict)

    @classmethod
    def hold(cls, weights: Mapping[str, Decimal], journal: Mapping[str, JournalValue]) -> Decision:
        """No trades today; ``weights`` is still reported as the current target."""
        return cls(weights=dict(weights), trade=(), journal=dict(journal))
