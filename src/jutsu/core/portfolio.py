"""An exact Decimal ledger: cash and positions change only through fills (backtest-semantics §7).

Positions are a fold over fills (average cost on buys); a fill id applied twice is an error,
so replaying a broker's fill report can never double-count. Long-only: an order that would
open a short raises instead of being silently mis-accounted.

Invariant, exact on every date: ``equity == cash + Σ qty × price``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from jutsu.core.costs import CostModel
from jutsu.core.result import Fill, Side
from jutsu.errors import BacktestError

__all__ = ["DuplicateFillError", "Portfolio", "Position"]

_ZERO = Decimal(0)


class DuplicateFillError(BacktestError):
    """A fill id was applied twice."""


@dataclass(slots=True)
class Position:
    """Shares held in one symbol and their average entry price (slippage included)."""

    symbol: str
    quantity: int = 0
    avg_price: Decimal = _ZERO

    def apply(self, side: Side, quantity: int, price: Decimal) -> None:
        """Fold one fill: buys move the average price, sells reduce the quantity."""
        if side == "BUY":
            total = self.quantity + quantity
            self.avg_price = (self.avg_price * self.quantity + price * quantity) / total
            self.quantity = total
        else:
            self.quantity -= quantity
            if self.quantity == 0:
                self.avg_price = _ZERO


class Portfolio:
    """Cash plus long positions, mutated only by :meth:`execute` / :meth:`apply_fill`."""

    __slots__ = ("_cash", "_next_id", "_positions", "_seen", "_view")

    def __init__(self, cash: Decimal) -> None:
        if cash < 0:
            raise BacktestError(f"initial capital must be >= 0, got {cash}")
        self._cash = cash
        self._positions: dict[str, Position] = {}
        self._seen: set[str] = set()
        self._next_id = 1
        self._view: dict[str, int] = {}

    @property
    def cash(self) -> Decimal:
        return self._cash

    @property
    def quantities(self) -> Mapping[str, int]:
        """Read-only live view {symbol: shares} of open positions."""
        return MappingProxyType(self._view)

    def quantity(self, symbol: str) -> int:
        return self._view.get(symbol, 0)

    def position(self, symbol: str) -> Position | None:
        return self._positions.get(symbol)

    def equity(self, prices: Mapping[str, Decimal]) -> Decimal:
        """``cash + Σ qty × price`` at ``prices`` (every held symbol must have one)."""
        total = self._cash
        for symbol, qty in self._view.items():
            total += qty * prices[symbol]
        return total

    def execute(
        self,
        date: dt.date,
        symbol: str,
        shares: int,
        price: Decimal,
        costs: CostModel,
        reason: str = "",
    ) -> Fill | None:
        """Fill a market order for ``shares`` (signed) at reference ``price`` plus slippage.

        Returns the fill, or ``None`` when the order is rejected (§7): a buy costing more than
        the cash, or a sell of more shares than held. Nothing changes on a rejection.

        Raises:
            BacktestError: the sell would open a short (not supported).
        """
        if shares == 0:
            return None
        held = self.quantity(symbol)
        if shares > 0:
            fill_price = costs.buy_price(price)
            commission = costs.commission(shares)
            if shares * fill_price + commission > self._cash:
                return None
            side: Side = "BUY"
        else:
            if held <= 0:
                raise BacktestError(
                    f"selling {symbol} while flat would open a short; shorts are not supported"
                )
            if -shares > held:
                return None  # §7.2/7.3: never flip long -> short in one order
            fill_price = costs.sell_price(price)
            commission = costs.commission(shares)
            side = "SELL"
        fill = Fill(
            date=date,
            symbol=symbol,
            side=side,
            quantity=abs(shares),
            price=fill_price,
            commission=commission,
            reason=reason,
        )
        self.apply_fill(f"F{self._next_id:08d}", fill)
        self._next_id += 1
        return fill

    def apply_fill(self, fill_id: str, fill: Fill) -> None:
        """Apply an external or internal fill exactly once.

        Raises:
            DuplicateFillError: ``fill_id`` was already applied.
            BacktestError: the fill would open a short.
        """
        if fill_id in self._seen:
            raise DuplicateFillError(f"fill {fill_id} was already applied")
        pos = self._positions.get(fill.symbol)
        if fill.side == "SELL" and (pos is None or fill.quantity > pos.quantity):
            raise BacktestError(
                f"fill {fill_id} sells {fill.quantity} {fill.symbol} but only "
                f"{0 if pos is None else pos.quantity} are held; shorts are not supported"
            )
        self._seen.add(fill_id)
        notional = fill.quantity * fill.price
        if fill.side == "BUY":
            self._cash -= notional + fill.commission
        else:
            self._cash += notional - fill.commission
        if pos is None:
            pos = self._positions[fill.symbol] = Position(fill.symbol)
        pos.apply(fill.side, fill.quantity, fill.price)
        if pos.quantity == 0:
            del self._positions[fill.symbol]
            self._view.pop(fill.symbol, None)
        else:
            self._view[fill.symbol] = pos.quantity
