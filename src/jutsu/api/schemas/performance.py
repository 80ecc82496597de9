"""Schemas of the EOD-finalized performance API ``/api/v2/performance`` (platform.md §3.8)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

__all__ = [
    "BaselineSummary",
    "ComparisonEntry",
    "ComparisonPublic",
    "DailyPerformanceData",
    "DailyPublic",
    "EODStatus",
    "HistoryPublic",
    "Holding",
    "MonthlyReturn",
    "MonthlyReturnsPublic",
    "PeriodMetrics",
    "RegimeBreakdownPublic",
    "RegimeStats",
]


class Holding(BaseModel):
    symbol: str
    quantity: float | None
    value: float | None
    weight: float | None


class DailyPerformanceData(BaseModel):
    trading_date: dt.date
    total_equity: float
    cash: float | None
    positions_value: float | None
    daily_return: float
    cumulative_return: float
    drawdown: float | None
    sharpe_ratio: float | None
    sortino_ratio: float | None
    calmar_ratio: float | None
    max_drawdown: float | None
    volatility: float | None
    cagr: float | None
    strategy_cell: int | None
    trend_state: str | None
    vol_state: str | None
    t_norm: float | None
    z_score: float | None
    sma_fast: float | None
    sma_slow: float | None
    trading_days_count: int | None
    is_first_day: bool | None
    days_since_previous: int | None
    positions_json: str | None
    holdings: list[Holding]
    cash_weight: float | None
    total_trades: int | None
    winning_trades: int | None
    losing_trades: int | None
    win_rate: float | None
    high_water_mark: float | None
    initial_capital: float | None
    baseline_value: float | None
    baseline_return: float | None
    baseline_daily_return: float | None
    is_finalized: bool


class BaselineSummary(BaseModel):
    symbol: str
    total_equity: float | None
    daily_return: float | None
    cumulative_return: float | None
    sharpe_ratio: float | None
    max_drawdown: float | None


class DailyPublic(BaseModel):
    strategy_id: str
    mode: str
    data: DailyPerformanceData
    baseline: BaselineSummary | None
    is_finalized: bool
    data_as_of: dt.date
    finalized_at: dt.datetime | None


class PeriodMetrics(BaseModel):
    """Live KPI variant (DECISIONS.md 1: empyrical definitions, 252 periods, rf = 0)."""

    start_date: dt.date | None
    end_date: dt.date | None
    calendar_days: int
    period_return: float | None
    annualized_return: float | None
    sharpe_ratio: float | None
    max_drawdown: float | None
    baseline_period_return: float | None
    baseline_annualized_return: float | None
    alpha: float | None


class HistoryPublic(BaseModel):
    strategy_id: str
    mode: str
    count: int
    history: list[DailyPerformanceData]
    baseline_symbol: str
    period_metrics: PeriodMetrics


class ComparisonEntry(BaseModel):
    strategy_id: str
    data: DailyPerformanceData | None
    is_finalized: bool | None = None
    error: str | None = None


class ComparisonPublic(BaseModel):
    mode: str | None
    data_as_of: dt.date | None
    strategies: list[ComparisonEntry]
    baseline: BaselineSummary | None


class RegimeStats(BaseModel):
    cell: int
    trend_state: str | None
    vol_state: str | None
    days: int
    pct_of_time: float
    total_return: float
    annualized_return: float | None
    avg_daily_return: float
    win_rate: float
    trade_count: int


class RegimeBreakdownPublic(BaseModel):
    strategy_id: str
    mode: str
    start_date: dt.date | None
    end_date: dt.date | None
    regimes: list[RegimeStats]


class MonthlyReturn(BaseModel):
    year: int
    month: int
    strategy_return: float
    baseline_return: float | None


class MonthlyReturnsPublic(BaseModel):
    strategy_id: str
    mode: str
    baseline_symbol: str
    months: list[MonthlyReturn]


class EODStatus(BaseModel):
    date: dt.date
    finalized: bool
    status: str
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    duration_seconds: float | None
    error: str | None
    progress_pct: float
