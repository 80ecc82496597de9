"""What the dry-run and paper brokers share: a per-(strategy, mode) book in the database.

A simulated broker *is* a ledger: its account is ``strategy_state`` (cash), its positions are
``positions`` and its order log is ``live_trades`` (client order id UNIQUE). Placing an order
fills it at once and records the fill, the position and the cash in one transaction through
:func:`jutsu.data.repositories.live_ledger.apply_fill`, so a crash can never leave a fill
half-applied, and placing the same client order id again returns the recorded report instead
of filling twice (the idempotency the `Broker` protocol promises).

Subclasses decide only the fill price and the commission (DECISIONS 2).
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from sqlalchemy import Engine

from jutsu.brokers.base import AccountSnapshot, BrokerPosition, OrderReport, OrderRequest, Quote
from jutsu.data.calendar import ET
from jutsu.data.repositories.live_ledger import (
    TradeRow,
    apply_fill,
    get_trade,
    insert_intent,
    mark_trade,
    read_book,
)
from jutsu.errors import BrokerError

__all__ = ["QuoteSource", "SimulatedBroker", "fixed_quotes"]

QuoteSource = Callable[[Sequence[str]], Mapping[str, Quote]]
"""``symbols -> {symbol: Quote}``: where a simulated broker gets "live" prices (the real
broker's quotes, a market-data vendor, or fixed prices in tests and ``--quote`` overrides)."""

_ZERO = Decimal(0)


def fixed_quotes(prices: Mapping[str, Decimal], timestamp: dt.datetime) -> QuoteSource:
    """A quote source answering ``prices`` stamped ``timestamp`` (tests, CLI overrides)."""

    def source(symbols: Sequence[str]) -> Mapping[str, Quote]:
        return {
            s: Quote(symbol=s, last=prices[s], bid=None, ask=None, timestamp=timestamp)
            for s in symbols
            if s in prices
        }

    return source


def _report(row: TradeRow, message: str = "") -> OrderReport:
    return OrderReport(
        client_order_id=row.client_order_id,
        broker_order_id=row.broker_order_id,
        symbol=row.symbol,
        side="BUY" if row.action == "BUY" else "SELL",
        quantity=row.quantity,
        status="submitted" if row.status == "intent" else row.status,  # type: ignore[arg-type]
        filled_quantity=row.filled_quantity,
        avg_fill_price=row.fill_price,
        commission=row.commission,
        message=message,
    )


class SimulatedBroker(ABC):
    """A broker whose account is the database book of one strategy in one mode."""

    mode: str = ""

    def __init__(
        self,
        engine: Engine,
        strategy_id: str,
        quotes: QuoteSource,
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._engine = engine
        self._strategy_id = strategy_id
        self._quotes = quotes
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    @property
    def name(self) -> str:
        return f"{self.mode}:{self._strategy_id}"

    @property
    def strategy_id(self) -> str:
        return self._strategy_id

    # -- account ----------------------------------------------------------------------------

    def account(self) -> AccountSnapshot:
        """Cash and equity of the book; equity marks positions at the quote source.

        Raises:
            BrokerError: the book does not exist yet (no run in this mode so far).
        """
        book = read_book(self._engine, self._strategy_id, self.mode)
        if book is None:
            raise BrokerError(f"no {self.mode} account for strategy {self._strategy_id} (no book yet)")
        held = book.quantities()
        quotes = self._quotes(sorted(held)) if held else {}
        equity = book.cash
        for symbol, qty in held.items():
            quote = quotes.get(symbol)
            price = quote.last if quote is not None else book.positions[symbol].avg_cost
            equity += qty * (price or _ZERO)
        return AccountSnapshot(account_id=self.name, cash=book.cash, equity=equity, buying_power=book.cash)

    def positions(self) -> Mapping[str, BrokerPosition]:
        book = read_book(self._engine, self._strategy_id, self.mode)
        if book is None:
            raise BrokerError(f"no {self.mode} account for strategy {self._strategy_id} (no book yet)")
        return {
            s: BrokerPosition(symbol=s, quantity=p.quantity, avg_cost=p.avg_cost)
            for s, p in book.positions.items()
            if p.quantity
        }

    def quotes(self, symbols: Sequence[str]) -> Mapping[str, Quote]:
        return self._quotes(symbols)

    # -- orders -----------------------------------------------------------------------------

    @abstractmethod
    def fill_terms(self, order: OrderRequest) -> tuple[Decimal, Decimal]:
        """(fill price, commission) of ``order`` filled now."""

    def place_order(self, order: OrderRequest) -> OrderReport:
        """Fill ``order`` at once; a client order id seen before returns its recorded report."""
        if order.quantity <= 0:
            raise BrokerError(f"order {order.client_order_id}: quantity must be > 0, got {order.quantity}")
        row = get_trade(self._engine, order.client_order_id)
        if row is not None and (row.strategy_id != self._strategy_id or row.mode != self.mode):
            raise BrokerError(
                f"client order id {order.client_order_id} belongs to {row.strategy_id} ({row.mode})"
            )
        if row is not None and row.status not in ("intent", "submitted"):
            return _report(row)  # idempotent: never fill twice
        now = self._clock()
        if row is None:
            row = insert_intent(
                self._engine,
                client_order_id=order.client_order_id,
                execution_id=None,
                strategy_id=self._strategy_id,
                mode=self.mode,
                trading_date=now.astimezone(ET).date(),
                symbol=order.symbol,
                action=order.side,
                quantity=order.quantity,
                target_price=order.reference_price,
                timestamp=now,
                reason="Manual",
            )
        price, commission = self.fill_terms(order)
        book = read_book(self._engine, self._strategy_id, self.mode)
        if book is None:
            raise BrokerError(f"no {self.mode} account for strategy {self._strategy_id} (no book yet)")
        held = book.positions.get(order.symbol)
        reason = ""
        if order.side == "BUY" and order.quantity * price + commission > book.cash:
            reason = (
                f"insufficient cash: {order.quantity} {order.symbol} cost "
                f"{order.quantity * price + commission:.2f} > cash {book.cash:.2f}"
            )
        if order.side == "SELL" and (held is None or held.quantity < order.quantity):
            reason = (
                f"cannot sell {order.quantity} {order.symbol}: holding {0 if held is None else held.quantity}"
            )
        if reason:
            mark_trade(self._engine, order.client_order_id, "rejected")
            updated = get_trade(self._engine, order.client_order_id)
            assert updated is not None
            return _report(updated, reason)
        with self._engine.begin() as conn:
            apply_fill(
                conn,
                order.client_order_id,
                status="filled",
                filled_quantity=order.quantity,
                avg_fill_price=price,
                commission=commission,
                filled_at=now,
                mark_price=price,
            )
        updated = get_trade(self._engine, order.client_order_id)
        assert updated is not None
        return _report(updated)

    def get_order(self, client_order_id: str) -> OrderReport | None:
        row = get_trade(self._engine, client_order_id)
        if row is None or row.strategy_id != self._strategy_id or row.mode != self.mode:
            return None
        if row.status == "intent":
            return None  # recorded but never placed: the broker does not know it
        return _report(row)

    def cancel_order(self, client_order_id: str) -> OrderReport:
        row = get_trade(self._engine, client_order_id)
        if row is None:
            raise BrokerError(f"unknown order {client_order_id}")
        if row.status in ("intent", "submitted"):
            mark_trade(self._engine, client_order_id, "cancelled")
            row = get_trade(self._engine, client_order_id)
            assert row is not None
        return _report(row)

    def order_log(self) -> list[TradeRow]:
        """Every order this broker accepted (any status but ``intent``), oldest first."""
        from jutsu.data.repositories.live_ledger import list_trades

        return [r for r in list_trades(self._engine, self._strategy_id, self.mode) if r.status != "intent"]
