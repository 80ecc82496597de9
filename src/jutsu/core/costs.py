"""Trading costs: a per-share commission and a proportional slippage (backtest-semantics §6).

One frozen object, passed explicitly, so a backtest and the paper broker that must reproduce
it (DECISIONS 2) can be handed the very same parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jutsu.errors import ConfigError

__all__ = ["CostModel"]


@dataclass(frozen=True, slots=True)
class CostModel:
    """``commission_per_share`` in $ per share; ``slippage`` as a fraction of the price.

    Raises:
        ConfigError: a value is negative, not finite, or slippage is >= 1.
    """

    commission_per_share: Decimal = Decimal("0.01")
    slippage: Decimal = Decimal("0.001")

    def __post_init__(self) -> None:
        for name in ("commission_per_share", "slippage"):
            raw = getattr(self, name)
            try:
                value = raw if isinstance(raw, Decimal) else Decimal(str(raw))
            except ArithmeticError:
                raise ConfigError(f"{name} must be a number, got {raw!r}") from None
            if not value.is_finite() or value < 0:
                raise ConfigError(f"{name} must be a finite number >= 0, got {raw!r}")
            object.__setattr__(self, name, value)
        if self.slippage >= 1:
            raise ConfigError(f"slippage is a fraction of the price and must be < 1, got {self.slippage}")

    def buy_price(self, price: Decimal) -> Decimal:
        """Fill price of a market buy: ``P·(1+s)``."""
        return price * (1 + self.slippage)

    def sell_price(self, price: Decimal) -> Decimal:
        """Fill price of a market sell: ``P·(1−s)``."""
        return price * (1 - self.slippage)

    def commission(self, quantity: int) -> Decimal:
        """Commission of one fill of ``quantity`` shares (no minimum, no percentage)."""
        return self.commission_per_share * abs(quantity)
