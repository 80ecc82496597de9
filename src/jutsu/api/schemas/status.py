"""Schemas of ``/api/status``, ``/api/positions`` and ``/api/indicators`` (platform.md §3.7)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

__all__ = [
    "IndicatorDescriptions",
    "IndicatorHistory",
    "IndicatorHistoryPoint",
    "IndicatorValue",
    "IndicatorsPublic",
    "PortfolioInfo",
    "PositionPublic",
    "PositionsPublic",
    "RegimeInfo",
    "SystemStatus",
]


class RegimeInfo(BaseModel):
    cell: int | None
    trend_state: str | None
    vol_state: str | None
    t_norm: float | None
    z_score: float | None
    as_of: dt.datetime | None


class PositionPublic(BaseModel):
    symbol: str
    quantity: int
    avg_cost: float | None
    market_value: float | None
    unrealized_pnl: float | None
    weight: float | None
    weight_pct: float | None


class PortfolioInfo(BaseModel):
    total_equity: float | None
    cash: float | None
    positions_value: float | None
    positions: list[PositionPublic]


class SystemStatus(BaseModel):
    strategy_id: str
    mode: str
    is_running: bool
    engine_state: str
    last_execution: dt.datetime | None
    next_execution: dt.datetime | None
    regime: RegimeInfo | None
    portfolio: PortfolioInfo
    uptime_seconds: float
    error: str | None


class PositionsPublic(BaseModel):
    strategy_id: str
    mode: str
    positions: list[PositionPublic]
    cash: float | None
    total_equity: float | None
    as_of: dt.datetime | None


class IndicatorValue(BaseModel):
    name: str
    value: float | int | str | bool | None
    signal: str | None
    description: str | None


class IndicatorsPublic(BaseModel):
    strategy_id: str
    mode: str
    timestamp: dt.datetime | None
    symbol: str
    indicators: list[IndicatorValue]
    target_allocation: dict[str, float]
    source: str


class IndicatorHistoryPoint(BaseModel):
    date: dt.date
    value: float | None


class IndicatorHistory(BaseModel):
    indicator: str
    days: int
    data: list[IndicatorHistoryPoint]


class IndicatorDescriptions(BaseModel):
    indicators: dict[str, str]
