"""Market-data tables (platform.md §2.3): bars, sync bookkeeping and the data audit log."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from jutsu.data.models.base import Base, now_column
from jutsu.data.types import UTCDateTime

__all__ = ["DataAuditLog", "DataMetadata", "MarketData"]

PRICE = Numeric(18, 6)


class MarketData(Base):
    """One OHLCV bar. Daily bars are stamped with the session's official close instant (UTC)."""

    __tablename__ = "market_data"
    __table_args__ = (
        UniqueConstraint("symbol", "timeframe", "timestamp", name="uix_symbol_tf_ts"),
        Index("idx_market_data_lookup", "symbol", "timeframe", "timestamp"),
        CheckConstraint("open > 0 AND high > 0 AND low > 0 AND close > 0", name="positive_prices"),
        CheckConstraint("volume >= 0", name="volume_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    symbol: Mapped[str] = mapped_column(String(10), index=True)
    timeframe: Mapped[str] = mapped_column(String(10))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    open: Mapped[Decimal] = mapped_column(PRICE)
    high: Mapped[Decimal] = mapped_column(PRICE)
    low: Mapped[Decimal] = mapped_column(PRICE)
    close: Mapped[Decimal] = mapped_column(PRICE)
    volume: Mapped[int] = mapped_column(BigInteger)
    data_source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = now_column()
    is_valid: Mapped[bool | None] = mapped_column(Boolean, server_default=true(), default=True)


class DataMetadata(Base):
    """Sync bookkeeping per (symbol, timeframe); ``last_bar_timestamp`` never moves backwards."""

    __tablename__ = "data_metadata"
    __table_args__ = (
        UniqueConstraint("symbol", "timeframe", name="uix_metadata"),
        Index("idx_metadata_lookup", "symbol", "timeframe"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    symbol: Mapped[str] = mapped_column(String(10))
    timeframe: Mapped[str] = mapped_column(String(10))
    last_bar_timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime())
    total_bars: Mapped[int | None] = mapped_column(Integer, server_default=text("0"), default=0)
    last_updated: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DataAuditLog(Base):
    """Insert-only journal of every data operation (sync, fetch, update, delete, correct, validate)."""

    __tablename__ = "data_audit_log"
    __table_args__ = (Index("idx_audit_log_timestamp", "timestamp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    symbol: Mapped[str | None] = mapped_column(String(10))
    timeframe: Mapped[str | None] = mapped_column(String(10))
    operation: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(String(500))
    bars_affected: Mapped[int | None] = mapped_column(Integer, server_default=text("0"), default=0)
    timestamp: Mapped[datetime] = now_column()
