"""Row-level reads of stored bars and sync bookkeeping for the API (platform.md §3.14).

:mod:`jutsu.data.repositories.market_data` serves the engine (bar frames); the API needs the
stored rows themselves (timestamp, source) and the ``data_metadata`` table.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from jutsu.data.models import BrokerToken, DataMetadata, MarketData

__all__ = ["broker_token_exists", "has_symbol", "list_metadata", "read_bars", "symbols_with_data"]

ET = ZoneInfo("America/New_York")


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=ET).astimezone(dt.UTC)


def read_bars(
    session: Session,
    symbol: str,
    *,
    timeframe: str = "1D",
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int = 1000,
) -> list[MarketData]:
    """Valid bars of ``symbol`` whose ET session date is in ``start..end``, oldest first."""
    query = select(MarketData).where(
        MarketData.symbol == symbol,
        MarketData.timeframe == timeframe,
        or_(MarketData.is_valid.is_(True), MarketData.is_valid.is_(None)),
    )
    if start is not None:
        query = query.where(MarketData.timestamp >= _day_start(start))
    if end is not None:
        query = query.where(MarketData.timestamp < _day_start(end + dt.timedelta(days=1)))
    return list(session.scalars(query.order_by(MarketData.timestamp).limit(limit)))


def has_symbol(session: Session, symbol: str) -> bool:
    """Whether any bar of ``symbol`` is stored, in any timeframe (an unknown symbol is a 404)."""
    return session.scalar(select(MarketData.id).where(MarketData.symbol == symbol).limit(1)) is not None


def symbols_with_data(session: Session, timeframe: str | None = None) -> list[str]:
    """Distinct symbols having at least one stored bar, sorted."""
    query = select(MarketData.symbol).distinct()
    if timeframe is not None:
        query = query.where(MarketData.timeframe == timeframe)
    return sorted(session.scalars(query))


def list_metadata(
    session: Session, symbol: str | None = None
) -> list[tuple[DataMetadata, dt.datetime | None]]:
    """Bookkeeping rows with each symbol/timeframe's first bar instant."""
    first = (
        select(MarketData.symbol, MarketData.timeframe, func.min(MarketData.timestamp).label("first"))
        .group_by(MarketData.symbol, MarketData.timeframe)
        .subquery()
    )
    query = select(DataMetadata, first.c.first).outerjoin(
        first, (first.c.symbol == DataMetadata.symbol) & (first.c.timeframe == DataMetadata.timeframe)
    )
    if symbol is not None:
        query = query.where(DataMetadata.symbol == symbol)
    rows = session.execute(query.order_by(DataMetadata.symbol, DataMetadata.timeframe)).all()
    return [(meta, first_ts) for meta, first_ts in rows]


def broker_token_exists(session: Session, provider: str = "schwab") -> bool:
    """Whether an OAuth token is stored for ``provider`` (live-mode precondition, §1.3)."""
    query = select(func.count()).select_from(BrokerToken).where(BrokerToken.provider == provider)
    return bool(session.scalar(query))
