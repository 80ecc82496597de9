"""The `Broker` protocol: the one seam between the live pipeline and any execution venue.

Dry-run, paper and Schwab implement it; tests swap a real implementation talking to a
local fake server, never a mocked function. Every order carries a *client order id*
chosen by the caller and deterministic per (strategy, session, symbol, side), so placing
the same order twice is detectable: ``place_order`` with an id the broker already knows
returns that order's current report instead of sending a second order.

The protocol is synchronous; async callers (the scheduler) run it in a worker thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

__all__ = [
    "AccountSnapshot",
    "Broker",
    "BrokerPosition",
    "OrderReport",
    "OrderRequest",
    "OrderStatus",
    "Quote",
]

OrderStatus = Literal[
    "submitted", "accepted", "partially_filled", "filled", "rejected", "cancelled", "expired"
]
TERMINAL_STATUSES: frozenset[str] = frozenset({"filled", "rejected", "cancelled", "expired"})


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """Cash and total equity of the account (or of the strategy's book for simulated brokers)."""

    account_id: str
    cash: Decimal
    equity: Decimal
    buying_power: Decimal


@dataclass(frozen=True, slots=True)
class BrokerPosition:
    symbol: str
    quantity: int
    avg_cost: Decimal | None = None
    market_value: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """Latest trade price; ``timestamp`` (aware UTC) lets callers reject stale quotes."""

    symbol: str
    last: Decimal
    bid: Decimal | None
    ask: Decimal | None
    timestamp: dt.datetime


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A market order for whole shares (ETFs), identified by the caller's client order id."""

    client_order_id: str
    symbol: str
    side: Literal["BUY", "SELL"]
    quantity: int
    reference_price: Decimal


@dataclass(frozen=True, slots=True)
class OrderReport:
    """What the broker says about one order; fill fields are cumulative over all legs."""

    client_order_id: str
    broker_order_id: str | None
    symbol: str
    side: Literal["BUY", "SELL"]
    quantity: int
    status: OrderStatus
    filled_quantity: int = 0
    avg_fill_price: Decimal | None = None
    commission: Decimal = Decimal(0)
    message: str = ""
    updated_at: dt.datetime | None = None

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


@runtime_checkable
class Broker(Protocol):
    """An execution venue. Raises `BrokerError` (refused) or `BrokerUnavailable` (retryable)."""

    @property
    def name(self) -> str: ...

    def account(self) -> AccountSnapshot: ...

    def positions(self) -> Mapping[str, BrokerPosition]: ...

    def quotes(self, symbols: Sequence[str]) -> Mapping[str, Quote]: ...

    def place_order(self, order: OrderRequest) -> OrderReport:
        """Submit ``order``; idempotent on ``client_order_id`` (never sends it twice)."""
        ...

    def get_order(self, client_order_id: str) -> OrderReport | None: ...

    def cancel_order(self, client_order_id: str) -> OrderReport: ...
