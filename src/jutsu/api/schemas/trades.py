"""Schemas of ``/api/trades`` (platform.md §3.9)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

__all__ = ["TradeListResponse", "TradeRecord", "TradeStats"]


class TradeRecord(BaseModel):
    id: int
    symbol: str
    timestamp: dt.datetime
    trading_date: dt.date
    action: str
    quantity: int
    filled_quantity: int | None
    target_price: float
    fill_price: float | None
    fill_value: float | None
    commission: float
    slippage_pct: float | None
    status: str
    schwab_order_id: str | None
    client_order_id: str
    strategy_cell: int | None
    trend_state: str | None
    vol_state: str | None
    t_norm: float | None
    z_score: float | None
    reason: str | None
    mode: str
    strategy_id: str
    execution_id: str | None


class TradeListResponse(BaseModel):
    trades: list[TradeRecord]
    total: int
    page: int
    page_size: int
    total_pages: int


class TradeStats(BaseModel):
    total_trades: int
    buy_trades: int
    sell_trades: int
    total_volume: float
    avg_slippage_pct: float | None
    max_slippage_pct: float | None
    min_slippage_pct: float | None
    unique_symbols: list[str]
    win_rate: float | None
    net_pnl: float
    winning_trades: int
    losing_trades: int
    total_round_trips: int
