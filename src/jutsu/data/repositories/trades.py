"""Reads of ``live_trades`` with the filters of the trade history page (platform.md §3.9).

Rows are never deleted or rewritten here: ``live_trades`` is append-only history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from jutsu.data.models import LiveTrade

__all__ = ["TradeFilter", "count_trades", "get_trade", "iter_trades", "list_trades"]


@dataclass(frozen=True, slots=True)
class TradeFilter:
    """Optional filters; ``None`` means "any". Dates are ET trading dates, inclusive."""

    strategy_id: str | None = None
    symbol: str | None = None
    action: str | None = None
    mode: str | None = None
    status: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


def _where(query: Select[tuple[LiveTrade]], f: TradeFilter) -> Select[tuple[LiveTrade]]:
    if f.strategy_id is not None:
        query = query.where(LiveTrade.strategy_id == f.strategy_id)
    if f.symbol is not None:
        query = query.where(LiveTrade.symbol == f.symbol)
    if f.action is not None:
        query = query.where(LiveTrade.action == f.action)
    if f.mode is not None:
        query = query.where(LiveTrade.mode == f.mode)
    if f.status is not None:
        query = query.where(LiveTrade.status == f.status)
    if f.start_date is not None:
        query = query.where(LiveTrade.trading_date >= f.start_date)
    if f.end_date is not None:
        query = query.where(LiveTrade.trading_date <= f.end_date)
    return query


def count_trades(session: Session, f: TradeFilter) -> int:
    """Number of trades matching ``f``."""
    sub = _where(select(LiveTrade), f).subquery()
    return int(session.scalar(select(func.count()).select_from(sub)) or 0)


def list_trades(session: Session, f: TradeFilter, *, offset: int, limit: int) -> list[LiveTrade]:
    """One page of matching trades, newest first (ties broken by id, so pages never overlap)."""
    query = _where(select(LiveTrade), f).order_by(LiveTrade.timestamp.desc(), LiveTrade.id.desc())
    return list(session.scalars(query.offset(offset).limit(limit)))


def iter_trades(session: Session, f: TradeFilter, *, oldest_first: bool = False) -> Iterator[LiveTrade]:
    """Every matching trade, streamed in batches (CSV export, statistics)."""
    order = (
        (LiveTrade.timestamp, LiveTrade.id)
        if oldest_first
        else (LiveTrade.timestamp.desc(), LiveTrade.id.desc())
    )
    query = _where(select(LiveTrade), f).order_by(*order).execution_options(yield_per=1000)
    yield from session.scalars(query)


def get_trade(session: Session, trade_id: int) -> LiveTrade | None:
    """One trade by id."""
    return session.get(LiveTrade, trade_id)
