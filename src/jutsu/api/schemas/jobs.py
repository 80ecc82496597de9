"""Schemas of backtest runs (``/api/v1/backtest``) and research jobs (``/api/v1/optimization``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, model_validator

__all__ = [
    "BacktestAccepted",
    "BacktestEquityPoint",
    "BacktestHistoryItem",
    "BacktestRequestBody",
    "BacktestResponse",
    "BacktestTrade",
    "GridSearchRequest",
    "JobAccepted",
    "JobStatusPublic",
    "ResearchResultPublic",
    "ResearchResultsPublic",
]


class BacktestRequestBody(BaseModel):
    """Spec field names (§3.13). ``symbol(s)`` are informative: a strategy reads the symbols its
    parameters name; ``parameters`` are validated by the strategy's Params model."""

    strategy_name: str = Field(min_length=1, max_length=50)
    symbol: str | None = Field(default=None, max_length=10)
    symbols: list[str] | None = Field(default=None, max_length=20)
    start_date: dt.date
    end_date: dt.date
    initial_capital: Decimal = Field(default=Decimal("10000"), gt=0, le=Decimal("1e12"))
    parameters: dict[str, str | int | float | bool] = Field(default_factory=dict)
    timeframe: str = Field(default="1D", pattern="^1D$")
    commission_per_share: Decimal | None = Field(default=None, ge=0, le=100)
    slippage_percent: Decimal | None = Field(default=None, ge=0, lt=100)
    baseline_symbol: str | None = Field(default=None, max_length=10)

    @model_validator(mode="after")
    def _dates(self) -> BacktestRequestBody:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class BacktestAccepted(BaseModel):
    backtest_id: str
    status: str


class BacktestResponse(BaseModel):
    backtest_id: str
    strategy_name: str
    status: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    start_date: dt.date
    end_date: dt.date
    initial_capital: float
    config: dict[str, Any]
    metrics: dict[str, Any] | None
    baseline_metrics: dict[str, Any] | None
    baseline_symbol: str | None
    error: str | None


class BacktestHistoryItem(BaseModel):
    backtest_id: str
    strategy_name: str
    symbol: str | None
    status: str
    created_at: dt.datetime
    total_return: float | None
    sharpe_ratio: float | None


class BacktestEquityPoint(BaseModel):
    date: dt.date
    equity: float
    cash: float
    baseline_equity: float | None
    drawdown: float
    strategy_cell: int | None = Field(default=None, description="Regime cell 1-6 from the decisions journal")
    trend_state: str | None = None
    vol_state: str | None = None


class BacktestTrade(BaseModel):
    date: dt.date
    symbol: str
    side: str
    quantity: int
    price: float
    commission: float
    reason: str


class JobAccepted(BaseModel):
    job_id: str
    status: str


class JobStatusPublic(BaseModel):
    job_id: str
    kind: str
    status: str
    progress: float
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    error: str | None


class GridSearchRequest(BaseModel):
    """A research config (the same document as ``jutsu research grid`` reads)."""

    config: dict[str, Any]


class ResearchResultPublic(BaseModel):
    params: dict[str, Any]
    metrics: dict[str, Any] | None
    status: str
    error: str | None


class ResearchResultsPublic(BaseModel):
    job_id: str
    status: str
    count: int
    results: list[ResearchResultPublic]
