"""FIFO round trips of a strategy's filled orders (spec §5.4 step 4.6).

Every SELL consumes the oldest open BUY lots of the symbol; each consumed lot segment is one
round trip with P&L ``(sell − buy) × qty`` net of both commissions (pro rata to the shares of
the segment). A SELL beyond the open lots (no shorts in the platform) is ignored.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["FillRow", "TradeStats", "fifo_round_trips"]


@dataclass(frozen=True, slots=True)
class FillRow:
    """One filled order in execution order."""

    symbol: str
    side: str
    quantity: int
    price: Decimal
    commission: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class TradeStats:
    total: int
    winning: int
    losing: int
    pnls: tuple[Decimal, ...]

    @property
    def win_rate(self) -> Decimal | None:
        return None if self.total == 0 else Decimal(self.winning) / Decimal(self.total)


@dataclass(slots=True)
class _Lot:
    quantity: int
    price: Decimal
    commission_per_share: Decimal


def fifo_round_trips(fills: Iterable[FillRow]) -> TradeStats:
    """Round-trip counts and P&Ls; winning when P&L > 0, losing otherwise."""
    lots: dict[str, deque[_Lot]] = {}
    pnls: list[Decimal] = []
    for f in fills:
        if f.quantity <= 0:
            continue
        book = lots.setdefault(f.symbol, deque())
        per_share = f.commission / f.quantity
        if f.side == "BUY":
            book.append(_Lot(f.quantity, f.price, per_share))
            continue
        remaining = f.quantity
        while remaining > 0 and book:
            lot = book[0]
            take = min(remaining, lot.quantity)
            pnl = (f.price - lot.price) * take - (lot.commission_per_share + per_share) * take
            pnls.append(pnl)
            lot.quantity -= take
            remaining -= take
            if lot.quantity == 0:
                book.popleft()
    winning = sum(1 for p in pnls if p > 0)
    return TradeStats(len(pnls), winning, len(pnls) - winning, tuple(pnls))
