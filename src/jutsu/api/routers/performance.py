"""``/api/v2/performance``: EOD-finalized performance (platform.md §3.8). There is no V1."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from jutsu.api.deps import require_permission
from jutsu.api.permissions import Permission
from jutsu.api.platform import PlatformDep
from jutsu.api.schemas.performance import (
    ComparisonPublic,
    DailyPublic,
    EODStatus,
    HistoryPublic,
    MonthlyReturnsPublic,
    RegimeBreakdownPublic,
)
from jutsu.api.services.performance import TimeRange

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v2/performance",
    tags=["performance"],
    dependencies=[Depends(require_permission(Permission.PERFORMANCE_READ))],
)

StrategyPath = Annotated[str, Path(min_length=1, max_length=50)]
ModeQ = Annotated[str | None, Query(max_length=20)]
BaselineQ = Annotated[str, Query(min_length=1, max_length=20)]


def _json(body: bytes) -> Response:
    """Pre-serialized body (the service caches it); ``response_model`` still documents the schema."""
    return Response(content=body, media_type="application/json")


@router.get("/comparison", response_model=ComparisonPublic)
def comparison(
    platform: PlatformDep,
    strategies: Annotated[str, Query(min_length=1, max_length=200, description="Comma-separated ids")],
    mode: ModeQ = None,
    baseline_symbol: BaselineQ = "QQQ",
) -> Response:
    ids = [s.strip() for s in strategies.split(",") if s.strip()][:10]
    return _json(platform.performance.comparison_json(ids, mode, baseline_symbol))


@router.get("/eod-status/today")
def eod_status_today(platform: PlatformDep) -> EODStatus:
    return platform.performance.eod_status(None)


@router.get("/eod-status/{date}")
def eod_status(platform: PlatformDep, date: dt.date) -> EODStatus:
    return platform.performance.eod_status(date)


@router.get("/{strategy_id}/daily", response_model=DailyPublic)
def daily(
    platform: PlatformDep, strategy_id: StrategyPath, mode: ModeQ = None, baseline_symbol: BaselineQ = "QQQ"
) -> Response:
    """Latest finalized day's KPIs with the baseline's; 404 when no row exists."""
    return _json(platform.performance.daily_json(strategy_id, mode, baseline_symbol))


@router.get("/{strategy_id}/daily/history", response_model=HistoryPublic)
def daily_history(
    platform: PlatformDep,
    strategy_id: StrategyPath,
    mode: ModeQ = None,
    days: Annotated[int | None, Query(ge=0, le=3650, description="0 = since inception")] = None,
    range: Annotated[TimeRange | None, Query(description="1M, 3M, YTD, 1Y or All")] = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    baseline_symbol: BaselineQ = "QQQ",
) -> Response:
    """Daily rows newest first with the baseline side by side and server-side period metrics."""
    return _json(
        platform.performance.history_json(
            strategy_id,
            mode,
            days=days,
            time_range=range,
            start=start_date,
            end=end_date,
            baseline_symbol=baseline_symbol,
        )
    )


@router.get("/{strategy_id}/regime-breakdown")
def regime_breakdown(
    platform: PlatformDep,
    strategy_id: StrategyPath,
    mode: ModeQ = None,
    days: Annotated[int | None, Query(ge=0, le=3650)] = 0,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> RegimeBreakdownPublic:
    return platform.performance.regime_breakdown(strategy_id, mode, days=days, start=start_date, end=end_date)


@router.get("/{strategy_id}/monthly-returns", response_model=MonthlyReturnsPublic)
def monthly_returns(
    platform: PlatformDep, strategy_id: StrategyPath, mode: ModeQ = None, baseline_symbol: BaselineQ = "QQQ"
) -> Response:
    """Compounded return per calendar month, strategy and baseline."""
    return _json(platform.performance.monthly_returns_json(strategy_id, mode, baseline_symbol))
