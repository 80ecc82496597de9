"""The trading book of one strategy in one mode: ``strategy_state`` (cash), ``positions`` and
``live_trades`` (orders and fills).

Why one module: cash changes only through fills (platform spec §2.2 rule 7), so the trade row,
the position and the cash must move together, in one transaction, exactly once per fill.
:func:`apply_fill` is that single place; it is idempotent (it applies only the part of a fill
report not applied before), which is what lets the simulated brokers record a fill *and* the
pipeline record the same fill again after a crash without double counting.

Every query filters by ``strategy_id`` and ``mode`` (§2.2 rule 5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from jutsu.data.models import LiveTrade, Position, StrategyState
from jutsu.errors import BrokerError

__all__ = [
    "SCALE",
    "Book",
    "BookPosition",
    "TradeRow",
    "apply_fill",
    "ensure_book",
    "get_trade",
    "insert_intent",
    "list_trades",
    "mark_trade",
    "q6",
    "read_book",
    "seed_book",
    "trades_of_execution",
    "update_intent",
]

SCALE = Decimal("0.000001")
_ZERO = Decimal(0)


def q6(value: Decimal) -> Decimal:
    """Round to the money columns' scale (NUMERIC(18,6)), as the database would."""
    return value.quantize(SCALE, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class BookPosition:
    symbol: str
    quantity: int
    avg_cost: Decimal | None


@dataclass(frozen=True, slots=True)
class Book:
    """Cash and positions of (strategy, mode) as stored."""

    strategy_id: str
    mode: str
    cash: Decimal
    initial_capital: Decimal
    inception_date: dt.date
    positions: Mapping[str, BookPosition]
    baseline_symbol: str
    baseline_initial_price: Decimal | None
    last_allocation: Mapping[str, Any] | None
    strategy_cell: int | None

    def quantities(self) -> dict[str, int]:
        return {s: p.quantity for s, p in self.positions.items() if p.quantity}


@dataclass(frozen=True, slots=True)
class TradeRow:
    """One ``live_trades`` row, as the pipeline and brokers need it."""

    client_order_id: str
    execution_id: str | None
    strategy_id: str
    mode: str
    trading_date: dt.date
    symbol: str
    action: str
    quantity: int
    target_price: Decimal
    status: str
    filled_quantity: int
    fill_price: Decimal | None
    commission: Decimal
    broker_order_id: str | None
    timestamp: dt.datetime


def _conn_of(bind: Engine | Connection) -> Any:
    return bind.connect() if isinstance(bind, Engine) else _Borrowed(bind)


class _Borrowed:
    """Context manager lending an existing connection without closing it."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def __enter__(self) -> Connection:
        return self._conn

    def __exit__(self, *exc: object) -> None:
        return None


def read_book(bind: Engine | Connection, strategy_id: str, mode: str) -> Book | None:
    """The stored book, or ``None`` before the first run in this mode."""
    with _conn_of(bind) as conn:
        state = conn.execute(
            select(StrategyState).where(StrategyState.strategy_id == strategy_id, StrategyState.mode == mode)
        ).first()
        if state is None:
            return None
        rows = conn.execute(
            select(Position.symbol, Position.quantity, Position.avg_cost).where(
                Position.strategy_id == strategy_id, Position.mode == mode
            )
        ).all()
    s = state
    return Book(
        strategy_id=strategy_id,
        mode=mode,
        cash=Decimal(s.cash),
        initial_capital=Decimal(s.initial_capital),
        inception_date=s.inception_date,
        positions={r.symbol: BookPosition(r.symbol, int(r.quantity), r.avg_cost) for r in rows},
        baseline_symbol=s.baseline_symbol,
        baseline_initial_price=s.baseline_initial_price,
        last_allocation=s.last_allocation_json,
        strategy_cell=s.strategy_cell,
    )


def ensure_book(
    bind: Engine | Connection,
    strategy_id: str,
    mode: str,
    *,
    initial_capital: Decimal,
    inception_date: dt.date,
    baseline_symbol: str = "QQQ",
) -> Book:
    """The book, created on the first run in this mode (cash = initial capital, no positions)."""
    book = read_book(bind, strategy_id, mode)
    if book is not None:
        return book
    now = dt.datetime.now(dt.UTC)
    try:
        if isinstance(bind, Engine):
            with bind.begin() as conn:
                _insert_state(conn, strategy_id, mode, initial_capital, inception_date, baseline_symbol, now)
        else:
            with bind.begin_nested():
                _insert_state(bind, strategy_id, mode, initial_capital, inception_date, baseline_symbol, now)
    except IntegrityError:
        pass  # created concurrently: read the winner's row
    book = read_book(bind, strategy_id, mode)
    assert book is not None
    return book


def seed_book(
    bind: Engine,
    strategy_id: str,
    mode: str,
    *,
    cash: Decimal,
    positions: Mapping[str, tuple[int, Decimal | None]],
    initial_capital: Decimal,
    inception_date: dt.date,
    baseline_symbol: str = "QQQ",
) -> Book:
    """Create the book from an outside source of truth (a live broker account, spec §1.3/§5.10).

    ``positions`` maps symbol → (quantity, average cost). Cash and positions are written in one
    transaction; an existing book is returned unchanged (never re-seeded behind the ledger's back).
    """
    book = read_book(bind, strategy_id, mode)
    if book is not None:
        return book
    now = dt.datetime.now(dt.UTC)
    try:
        with bind.begin() as conn:
            _insert_state(conn, strategy_id, mode, initial_capital, inception_date, baseline_symbol, now)
            conn.execute(
                update(StrategyState)
                .where(StrategyState.strategy_id == strategy_id, StrategyState.mode == mode)
                .values(cash=q6(cash))
            )
            for symbol, (quantity, avg_cost) in sorted(positions.items()):
                if quantity:
                    conn.execute(
                        insert(Position).values(
                            symbol=symbol,
                            mode=mode,
                            strategy_id=strategy_id,
                            quantity=quantity,
                            avg_cost=None if avg_cost is None else q6(avg_cost),
                            last_updated=now,
                        )
                    )
    except IntegrityError:
        pass  # seeded concurrently: read the winner's rows
    book = read_book(bind, strategy_id, mode)
    assert book is not None
    return book


def _insert_state(
    conn: Connection,
    strategy_id: str,
    mode: str,
    capital: Decimal,
    inception: dt.date,
    baseline_symbol: str,
    now: dt.datetime,
) -> None:
    conn.execute(
        insert(StrategyState).values(
            strategy_id=strategy_id,
            mode=mode,
            cash=q6(capital),
            initial_capital=q6(capital),
            inception_date=inception,
            baseline_symbol=baseline_symbol,
            updated_at=now,
        )
    )


def _trade_row(r: Any) -> TradeRow:
    return TradeRow(
        client_order_id=r.client_order_id,
        execution_id=r.execution_id,
        strategy_id=r.strategy_id,
        mode=r.mode,
        trading_date=r.trading_date,
        symbol=r.symbol,
        action=r.action,
        quantity=int(r.quantity),
        target_price=Decimal(r.target_price),
        status=r.status,
        filled_quantity=int(r.filled_quantity or 0),
        fill_price=None if r.fill_price is None else Decimal(r.fill_price),
        commission=Decimal(r.commission or 0),
        broker_order_id=r.schwab_order_id,
        timestamp=r.timestamp,
    )


def get_trade(bind: Engine | Connection, client_order_id: str) -> TradeRow | None:
    with _conn_of(bind) as conn:
        r = conn.execute(select(LiveTrade).where(LiveTrade.client_order_id == client_order_id)).first()
    return None if r is None else _trade_row(r)


def trades_of_execution(bind: Engine | Connection, execution_id: str) -> list[TradeRow]:
    """Every order of one run, in the order they were created."""
    with _conn_of(bind) as conn:
        rows = conn.execute(
            select(LiveTrade).where(LiveTrade.execution_id == execution_id).order_by(LiveTrade.id)
        ).all()
    return [_trade_row(r) for r in rows]


def list_trades(
    bind: Engine | Connection, strategy_id: str, mode: str, *, limit: int | None = None
) -> list[TradeRow]:
    """Orders of (strategy, mode), oldest first (the last ``limit`` when given)."""
    query = (
        select(LiveTrade)
        .where(LiveTrade.strategy_id == strategy_id, LiveTrade.mode == mode)
        .order_by(LiveTrade.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    with _conn_of(bind) as conn:
        rows = conn.execute(query).all()
    return [_trade_row(r) for r in reversed(rows)]


def insert_intent(
    bind: Engine,
    *,
    client_order_id: str,
    execution_id: str | None,
    strategy_id: str,
    mode: str,
    trading_date: dt.date,
    symbol: str,
    action: str,
    quantity: int,
    target_price: Decimal,
    timestamp: dt.datetime,
    reason: str = "Rebalance",
    regime: Mapping[str, Any] | None = None,
) -> TradeRow:
    """Record an order *before* it is sent (status ``intent``); idempotent on the client id.

    If the row exists already (a retry of the same run), it is returned unchanged.
    """
    existing = get_trade(bind, client_order_id)
    if existing is not None:
        return existing
    regime = regime or {}
    values: dict[str, Any] = {
        "client_order_id": client_order_id,
        "execution_id": execution_id,
        "strategy_id": strategy_id,
        "mode": mode,
        "trading_date": trading_date,
        "symbol": symbol,
        "action": action,
        "quantity": quantity,
        "target_price": q6(target_price),
        "status": "intent",
        "timestamp": timestamp,
        "reason": reason,
        "commission": _ZERO,
        "strategy_cell": regime.get("strategy_cell"),
        "trend_state": regime.get("trend_state"),
        "vol_state": regime.get("vol_state"),
        "t_norm": _ratio(regime.get("t_norm")),
        "z_score": _ratio(regime.get("z_score")),
        "created_at": timestamp,
    }
    try:
        with bind.begin() as conn:
            conn.execute(insert(LiveTrade).values(**values))
    except IntegrityError:
        pass  # inserted concurrently by a retry: the existing row wins
    row = get_trade(bind, client_order_id)
    assert row is not None
    return row


def _ratio(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        d = Decimal(str(value))
    except ArithmeticError:
        return None
    if not d.is_finite() or abs(d) >= 10_000:
        return None
    return d.quantize(SCALE, rounding=ROUND_HALF_EVEN)


def mark_trade(
    bind: Engine | Connection,
    client_order_id: str,
    status: str,
    *,
    broker_order_id: str | None = None,
) -> None:
    """Move an order's status forward without a fill (submitted, rejected, cancelled, expired)."""
    values: dict[str, Any] = {"status": status}
    if broker_order_id is not None:
        values["schwab_order_id"] = broker_order_id[:50]
    stmt = (
        update(LiveTrade)
        .where(LiveTrade.client_order_id == client_order_id, LiveTrade.status != "filled")
        .values(**values)
    )
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            conn.execute(stmt)
    else:
        bind.execute(stmt)


def apply_fill(
    conn: Connection,
    client_order_id: str,
    *,
    status: str,
    filled_quantity: int,
    avg_fill_price: Decimal | None,
    commission: Decimal,
    filled_at: dt.datetime,
    broker_order_id: str | None = None,
    mark_price: Decimal | None = None,
) -> bool:
    """Apply a (cumulative) fill report to the trade row, the position and the cash, once.

    Only the part not applied before moves the book: ``filled_quantity`` and ``commission`` are
    cumulative (broker semantics), so applying the same report twice is a no-op. Must run
    inside the caller's transaction (``conn``) so row, position and cash commit together.

    Returns True when the book changed.

    Raises:
        BrokerError: the order is unknown, or the fill would sell more than is held.
    """
    row = conn.execute(
        select(LiveTrade).where(LiveTrade.client_order_id == client_order_id).with_for_update()
    ).first()
    if row is None:
        raise BrokerError(f"fill for unknown order {client_order_id}")
    trade = row
    old_qty = int(trade.filled_quantity or 0)
    old_value = Decimal(trade.fill_value or 0)
    old_commission = Decimal(trade.commission or 0)
    if filled_quantity < old_qty or (filled_quantity == old_qty and trade.status == status):
        return False
    price = q6(avg_fill_price) if avg_fill_price is not None else None
    value = q6(filled_quantity * price) if price is not None else _ZERO
    commission = q6(commission)
    delta_qty = filled_quantity - old_qty
    delta_value = value - old_value
    delta_commission = commission - old_commission
    target = Decimal(trade.target_price)
    slip = None
    if price is not None and target > 0:
        slip = ((price - target) / target * 100).quantize(SCALE, rounding=ROUND_HALF_EVEN)
    conn.execute(
        update(LiveTrade)
        .where(LiveTrade.id == trade.id)
        .values(
            status=status,
            filled_quantity=filled_quantity,
            fill_price=price,
            fill_value=value if price is not None else None,
            commission=commission,
            slippage_pct=slip,
            filled_at=filled_at if delta_qty or trade.filled_at is None else trade.filled_at,
            schwab_order_id=(broker_order_id or trade.schwab_order_id or None),
        )
    )
    if delta_qty == 0 and delta_commission == 0:
        return False
    _move_book(
        conn,
        trade.strategy_id,
        trade.mode,
        trade.symbol,
        trade.action,
        delta_qty,
        delta_value,
        delta_commission,
        mark_price or price,
        filled_at,
    )
    return True


def _move_book(
    conn: Connection,
    strategy_id: str,
    mode: str,
    symbol: str,
    action: str,
    delta_qty: int,
    delta_value: Decimal,
    delta_commission: Decimal,
    mark_price: Decimal | None,
    now: dt.datetime,
) -> None:
    state = conn.execute(
        select(StrategyState.cash)
        .where(StrategyState.strategy_id == strategy_id, StrategyState.mode == mode)
        .with_for_update()
    ).first()
    if state is None:
        raise BrokerError(f"no book for strategy {strategy_id} in mode {mode}; cannot apply a fill")
    cash = Decimal(state.cash)
    cash = cash - delta_value - delta_commission if action == "BUY" else cash + delta_value - delta_commission
    conn.execute(
        update(StrategyState)
        .where(StrategyState.strategy_id == strategy_id, StrategyState.mode == mode)
        .values(cash=q6(cash), updated_at=now)
    )
    if delta_qty == 0:
        return
    pos = conn.execute(
        select(Position)
        .where(Position.strategy_id == strategy_id, Position.mode == mode, Position.symbol == symbol)
        .with_for_update()
    ).first()
    held = 0 if pos is None else int(pos.quantity)
    avg = None if pos is None else pos.avg_cost
    if action == "BUY":
        quantity = held + delta_qty
        old_cost = Decimal(avg or 0) * held
        avg_cost: Decimal | None = q6((old_cost + delta_value) / quantity)
    else:
        if delta_qty > held:
            raise BrokerError(
                f"fill sells {delta_qty} {symbol} but strategy {strategy_id} ({mode}) holds {held}"
            )
        quantity = held - delta_qty
        avg_cost = avg  # sells never change the cost basis (§2.3 positions.avg_cost)
    where = (Position.strategy_id == strategy_id, Position.mode == mode, Position.symbol == symbol)
    if quantity == 0:
        conn.execute(delete(Position).where(*where))
        return
    market_value = q6(quantity * mark_price) if mark_price is not None else None
    pnl = None
    if market_value is not None and avg_cost is not None:
        pnl = q6(market_value - quantity * Decimal(avg_cost))
    values = {
        "quantity": quantity,
        "avg_cost": avg_cost,
        "market_value": market_value,
        "unrealized_pnl": pnl,
        "last_updated": now,
    }
    if pos is None:
        conn.execute(insert(Position).values(symbol=symbol, mode=mode, strategy_id=strategy_id, **values))
    else:
        conn.execute(update(Position).where(*where).values(**values))


def update_intent(bind: Engine, client_order_id: str, *, quantity: int, target_price: Decimal) -> None:
    """Re-size an order that was recorded but never reached the broker (a retried run)."""
    with bind.begin() as conn:
        conn.execute(
            update(LiveTrade)
            .where(LiveTrade.client_order_id == client_order_id, LiveTrade.status == "intent")
            .values(quantity=quantity, target_price=q6(target_price))
        )
