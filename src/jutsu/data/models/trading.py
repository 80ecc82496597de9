"""Trading tables (platform.md §2.3): orders/fills, holdings, per-strategy state and run journal.

Every table carries ``strategy_id`` and ``mode`` and every unique key includes both (§2.2-5).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from jutsu.data.models.base import MODES, Base, in_list, now_column
from jutsu.data.types import JSONType, UTCDateTime

__all__ = [
    "EXECUTION_STATUSES",
    "EXECUTION_TRIGGERS",
    "ORDER_STATUSES",
    "ExecutionRun",
    "LiveTrade",
    "Position",
    "StrategyState",
]

PRICE = Numeric(18, 6)
RATIO = Numeric(10, 6)

ORDER_STATUSES = ("intent", "submitted", "partially_filled", "filled", "rejected", "cancelled", "expired")
EXECUTION_TRIGGERS = ("scheduled", "manual", "kill_switch")
EXECUTION_STATUSES = ("running", "success", "skipped", "failed", "aborted")


class LiveTrade(Base):
    """An order and its fills, in any mode. Never deleted; only lifecycle fields move forward."""

    __tablename__ = "live_trades"
    __table_args__ = (
        UniqueConstraint("client_order_id", name="uix_live_trades_client_order_id"),
        Index("idx_live_trades_mode_ts", "mode", "timestamp"),
        Index("idx_live_trades_symbol_mode", "symbol", "mode"),
        Index("idx_live_trades_strategy", "strategy_id", "timestamp"),
        CheckConstraint("action IN ('BUY', 'SELL')", name="action"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(in_list("mode", MODES), name="mode"),
        CheckConstraint(in_list("status", ORDER_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    symbol: Mapped[str] = mapped_column(String(10), index=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    trading_date: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[int] = mapped_column(Integer)
    filled_quantity: Mapped[int | None] = mapped_column(Integer)
    target_price: Mapped[Decimal] = mapped_column(PRICE)
    fill_price: Mapped[Decimal | None] = mapped_column(PRICE)
    fill_value: Mapped[Decimal | None] = mapped_column(PRICE)
    commission: Mapped[Decimal] = mapped_column(PRICE, server_default=text("0"), default=Decimal(0))
    slippage_pct: Mapped[Decimal | None] = mapped_column(RATIO)
    status: Mapped[str] = mapped_column(String(16))
    client_order_id: Mapped[str] = mapped_column(String(64))
    schwab_order_id: Mapped[str | None] = mapped_column(String(50))
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    strategy_cell: Mapped[int | None] = mapped_column(Integer)
    trend_state: Mapped[str | None] = mapped_column(String(20))
    vol_state: Mapped[str | None] = mapped_column(String(10))
    t_norm: Mapped[Decimal | None] = mapped_column(RATIO)
    z_score: Mapped[Decimal | None] = mapped_column(RATIO)
    reason: Mapped[str | None] = mapped_column(String(50))
    mode: Mapped[str] = mapped_column(String(20))
    strategy_id: Mapped[str] = mapped_column(String(50))
    execution_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = now_column()


class Position(Base):
    """Current holding of one symbol for one strategy and mode (long-only; zero rows are deleted)."""

    __tablename__ = "positions"
    __table_args__ = (
        UniqueConstraint("symbol", "mode", "strategy_id", name="uix_position_symbol_mode_strategy"),
        Index("idx_positions_mode", "mode"),
        Index("idx_positions_strategy", "strategy_id"),
        CheckConstraint("quantity >= 0", name="quantity_non_negative"),
        CheckConstraint(in_list("mode", MODES), name="mode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    symbol: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    avg_cost: Mapped[Decimal | None] = mapped_column(PRICE)
    market_value: Mapped[Decimal | None] = mapped_column(PRICE)
    unrealized_pnl: Mapped[Decimal | None] = mapped_column(PRICE)
    mode: Mapped[str] = mapped_column(String(20))
    strategy_id: Mapped[str] = mapped_column(String(50))
    last_updated: Mapped[datetime] = now_column()


class StrategyState(Base):
    """Authoritative cash and run memory per strategy and mode (replaces the reference state.json)."""

    __tablename__ = "strategy_state"
    __table_args__ = (
        PrimaryKeyConstraint("strategy_id", "mode"),
        CheckConstraint(in_list("mode", MODES), name="mode"),
    )

    strategy_id: Mapped[str] = mapped_column(String(50))
    mode: Mapped[str] = mapped_column(String(20))
    cash: Mapped[Decimal] = mapped_column(PRICE)
    initial_capital: Mapped[Decimal] = mapped_column(PRICE)
    inception_date: Mapped[date] = mapped_column(Date)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_execution_id: Mapped[str | None] = mapped_column(String(36))
    strategy_cell: Mapped[int | None] = mapped_column(Integer)
    trend_state: Mapped[str | None] = mapped_column(String(20))
    vol_state: Mapped[str | None] = mapped_column(String(10))
    last_allocation_json: Mapped[Any | None] = mapped_column(JSONType)
    baseline_symbol: Mapped[str] = mapped_column(String(20), server_default="QQQ", default="QQQ")
    baseline_initial_price: Mapped[Decimal | None] = mapped_column(PRICE)
    updated_at: Mapped[datetime] = now_column()


class ExecutionRun(Base):
    """One strategy evaluation. The partial unique index makes scheduled runs once per day."""

    __tablename__ = "execution_runs"
    __table_args__ = (
        CheckConstraint(in_list("mode", MODES), name="mode"),
        CheckConstraint(in_list("trigger", EXECUTION_TRIGGERS), name="trigger"),
        CheckConstraint(in_list("status", EXECUTION_STATUSES), name="status"),
    )

    execution_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    strategy_id: Mapped[str] = mapped_column(String(50))
    mode: Mapped[str] = mapped_column(String(20))
    trading_date: Mapped[date] = mapped_column(Date)
    trigger: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    signals_json: Mapped[Any | None] = mapped_column(JSONType)
    target_weights_json: Mapped[Any | None] = mapped_column(JSONType)
    orders_planned: Mapped[int | None] = mapped_column(Integer)
    orders_filled: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(Integer)


_SCHEDULED = ExecutionRun.__table__.c.trigger == "scheduled"
Index(
    "uix_exec_run_scheduled",
    ExecutionRun.strategy_id,
    ExecutionRun.mode,
    ExecutionRun.trading_date,
    unique=True,
    sqlite_where=_SCHEDULED,
    postgresql_where=_SCHEDULED,
)
