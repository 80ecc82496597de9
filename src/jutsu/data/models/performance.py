"""Performance tables (platform.md §2.3): intraday snapshots, EOD daily rows and EOD job status.

Ratios are decimal fractions in ``NUMERIC(10,6)``; money is ``NUMERIC(18,6)`` (§0 Units).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import conv

from jutsu.data.models.base import Base, now_column
from jutsu.data.types import UTCDateTime

__all__ = ["EOD_STATUSES", "DailyPerformance", "EodJobStatus", "PerformanceSnapshot"]

PRICE = Numeric(18, 6)
RATIO = Numeric(10, 6)
EOD_STATUSES = ("running", "completed", "failed", "partial")


class PerformanceSnapshot(Base):
    """An intraday valuation; only ``snapshot_source='scheduler'`` rows are authoritative for regime."""

    __tablename__ = "performance_snapshots"
    __table_args__ = (
        UniqueConstraint("mode", "strategy_id", "timestamp", name="uix_perf_snapshot_mode_strategy_ts"),
        Index("idx_perf_snapshot_mode_ts", "mode", "timestamp"),
        Index("idx_perf_snapshots_strategy", "strategy_id", "timestamp"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    total_equity: Mapped[Decimal] = mapped_column(PRICE)
    cash: Mapped[Decimal | None] = mapped_column(PRICE)
    positions_value: Mapped[Decimal | None] = mapped_column(PRICE)
    daily_return: Mapped[Decimal | None] = mapped_column(RATIO)
    cumulative_return: Mapped[Decimal | None] = mapped_column(RATIO)
    drawdown: Mapped[Decimal | None] = mapped_column(RATIO)
    strategy_cell: Mapped[int | None] = mapped_column(Integer)
    trend_state: Mapped[str | None] = mapped_column(String(20))
    vol_state: Mapped[str | None] = mapped_column(String(10))
    snapshot_source: Mapped[str | None] = mapped_column(String(20))
    t_norm: Mapped[Decimal | None] = mapped_column(RATIO)
    z_score: Mapped[Decimal | None] = mapped_column(RATIO)
    sma_fast: Mapped[Decimal | None] = mapped_column(PRICE)
    sma_slow: Mapped[Decimal | None] = mapped_column(PRICE)
    positions_json: Mapped[str | None] = mapped_column(Text)
    baseline_value: Mapped[Decimal | None] = mapped_column(PRICE)
    baseline_return: Mapped[Decimal | None] = mapped_column(RATIO)
    mode: Mapped[str] = mapped_column(String(20))
    strategy_id: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = now_column()


class DailyPerformance(Base):
    """Authoritative end-of-day row per (trading date, entity, mode); strategies and baselines."""

    __tablename__ = "daily_performance"
    __table_args__ = (
        UniqueConstraint("trading_date", "entity_type", "entity_id", "mode", name="uix_daily_perf"),
        CheckConstraint("entity_type IN ('strategy', 'baseline')", name=conv("ck_daily_perf_entity_type")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trading_date: Mapped[date] = mapped_column(Date)
    entity_type: Mapped[str] = mapped_column(String(10))
    entity_id: Mapped[str] = mapped_column(String(50))
    mode: Mapped[str] = mapped_column(String(20))
    total_equity: Mapped[Decimal] = mapped_column(PRICE)
    cash: Mapped[Decimal | None] = mapped_column(PRICE)
    positions_value: Mapped[Decimal | None] = mapped_column(PRICE)
    positions_json: Mapped[str | None] = mapped_column(Text)
    daily_return: Mapped[Decimal] = mapped_column(RATIO)
    cumulative_return: Mapped[Decimal] = mapped_column(RATIO)
    drawdown: Mapped[Decimal | None] = mapped_column(RATIO)
    sharpe_ratio: Mapped[Decimal | None] = mapped_column(RATIO)
    sortino_ratio: Mapped[Decimal | None] = mapped_column(RATIO)
    calmar_ratio: Mapped[Decimal | None] = mapped_column(RATIO)
    max_drawdown: Mapped[Decimal | None] = mapped_column(RATIO)
    volatility: Mapped[Decimal | None] = mapped_column(RATIO)
    cagr: Mapped[Decimal | None] = mapped_column(RATIO)
    strategy_cell: Mapped[int | None] = mapped_column(Integer)
    trend_state: Mapped[str | None] = mapped_column(String(20))
    vol_state: Mapped[str | None] = mapped_column(String(10))
    t_norm: Mapped[Decimal | None] = mapped_column(RATIO)
    z_score: Mapped[Decimal | None] = mapped_column(RATIO)
    sma_fast: Mapped[Decimal | None] = mapped_column(PRICE)
    sma_slow: Mapped[Decimal | None] = mapped_column(PRICE)
    total_trades: Mapped[int | None] = mapped_column(Integer, server_default=text("0"), default=0)
    winning_trades: Mapped[int | None] = mapped_column(Integer, server_default=text("0"), default=0)
    losing_trades: Mapped[int | None] = mapped_column(Integer, server_default=text("0"), default=0)
    win_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))
    baseline_symbol: Mapped[str | None] = mapped_column(String(20))
    initial_capital: Mapped[Decimal | None] = mapped_column(PRICE)
    high_water_mark: Mapped[Decimal | None] = mapped_column(PRICE)
    trading_days_count: Mapped[int | None] = mapped_column(Integer)
    days_since_previous: Mapped[int | None] = mapped_column(Integer, server_default=text("1"), default=1)
    is_first_day: Mapped[bool | None] = mapped_column(Boolean, server_default=false(), default=False)
    returns_sum: Mapped[Decimal | None] = mapped_column(Numeric(18, 8))
    returns_sum_sq: Mapped[Decimal | None] = mapped_column(Numeric(18, 8))
    downside_sum_sq: Mapped[Decimal | None] = mapped_column(Numeric(18, 8))
    returns_count: Mapped[int | None] = mapped_column(Integer)
    finalized_at: Mapped[datetime | None] = now_column(nullable=True)


Index("idx_daily_perf_date", DailyPerformance.trading_date.desc())
Index("idx_daily_perf_entity", DailyPerformance.entity_type, DailyPerformance.entity_id)
Index(
    "idx_daily_perf_mode_entity",
    DailyPerformance.mode,
    DailyPerformance.entity_type,
    DailyPerformance.entity_id,
    DailyPerformance.trading_date.desc(),
)
_STRATEGY_ROWS = DailyPerformance.__table__.c.entity_type == "strategy"
Index(
    "idx_daily_perf_strategy_date",
    DailyPerformance.entity_id,
    DailyPerformance.trading_date.desc(),
    sqlite_where=_STRATEGY_ROWS,
    postgresql_where=_STRATEGY_ROWS,
)


class EodJobStatus(Base):
    """One EOD finalization run per trading date (§5.4)."""

    __tablename__ = "eod_job_status"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'completed', 'failed', 'partial')", name=conv("ck_eod_job_status")
        ),
    )

    job_date: Mapped[date] = mapped_column(Date, primary_key=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))
    strategies_total: Mapped[int | None] = mapped_column(Integer)
    strategies_processed: Mapped[int | None] = mapped_column(Integer, server_default=text("0"), default=0)
    baselines_total: Mapped[int | None] = mapped_column(Integer)
    baselines_processed: Mapped[int | None] = mapped_column(Integer, server_default=text("0"), default=0)
    error_message: Mapped[str | None] = mapped_column(Text)
    retry_count: Mapped[int | None] = mapped_column(Integer, server_default=text("0"), default=0)


Index("idx_eod_job_status", EodJobStatus.status, EodJobStatus.job_date.desc())
